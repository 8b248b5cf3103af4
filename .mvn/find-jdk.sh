# Sourced by ./mvnw and the deploy scripts: make JAVA_HOME point at a JDK >= 21.
# Order: the JAVA_HOME already set, then `java` on the PATH, then the newest JDK under /usr/lib/jvm.
# A fresh CI machine has Java 17 as its default, so the search is what makes `./mvnw` work there.
podsync_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
podsync_find_jdk() {
  _min=21
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    _v=$(podsync_java_major "$JAVA_HOME")
    if [ "${_v:-0}" -ge "$_min" ]; then return 0; fi
  fi
  if command -v javac >/dev/null 2>&1; then
    _home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    _v=$(podsync_java_major "$_home")
    if [ "${_v:-0}" -ge "$_min" ]; then JAVA_HOME=$_home; export JAVA_HOME; return 0; fi
  fi
  _best=""; _bestv=0
  # mvnw runs with `set -f`; the search needs globbing.
  case $- in *f*) _noglob=1; set +f ;; *) _noglob=0 ;; esac
  for _d in /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$_d/bin/javac" ] || continue
    _v=$(podsync_java_major "$_d")
    if [ "${_v:-0}" -ge "$_min" ] && [ "${_v:-0}" -gt "$_bestv" ]; then _best=$_d; _bestv=$_v; fi
  done
  [ "$_noglob" = 1 ] && set -f
  if [ -n "$_best" ]; then JAVA_HOME=$_best; export JAVA_HOME; return 0; fi
  echo "podsync needs a JDK >= $_min: set JAVA_HOME or install one under /usr/lib/jvm" >&2
  return 1
}
podsync_find_jdk
