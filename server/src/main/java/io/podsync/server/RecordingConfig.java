package io.podsync.server;

import io.helidon.common.GenericType;
import io.helidon.config.Config;
import io.helidon.config.ConfigMappingException;
import io.helidon.config.ConfigValue;
import io.helidon.config.MissingValueException;
import io.helidon.config.spi.ConfigMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Helidon's {@link Config}, remembering every key whose value the server reads. The keys the server knows are therefore
 * the keys its code reads, in {@link ServerConfig} and what it calls: a new setting needs no second list. After
 * reading, {@link #rejectUnknown} refuses any other key under {@code podsync.}, naming the closest known one, so that
 * a misspelled key stops the start instead of being ignored.
 *
 * <p>A key is read when its value is taken ({@code asString()}, {@code asInt()}, {@code asList(...)}, {@code asMap()},
 * {@code detach()}); a list or map taken whole covers the keys below it. List indices are written {@code []}
 * ({@code podsync.auth.clients[].id}).
 */
final class RecordingConfig implements Config {
    private final Config delegate;
    private final Set<String> read;

    private RecordingConfig(Config delegate, Set<String> read) {
        this.delegate = delegate;
        this.read = read;
    }

    static RecordingConfig of(Config root) {
        return new RecordingConfig(root, ConcurrentHashMap.newKeySet());
    }

    /** The keys read so far, with list indices written {@code []}, sorted. */
    Set<String> readKeys() {
        Set<String> out = new TreeSet<>();
        read.forEach(k -> out.add(normalize(k)));
        return out;
    }

    /**
     * Throws {@link IllegalArgumentException} naming every key under {@code prefix} that holds a value nothing read,
     * each with the closest key that is read.
     */
    void rejectUnknown(String prefix) {
        Set<String> known = readKeys();
        List<String> problems = new ArrayList<>();
        delegate.get(prefix).traverse().filter(Config::isLeaf).forEach(leaf -> {
            String key = normalize(leaf.key().toString());
            if (!covered(key, known)) {
                problems.add(unknown(key, known));
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration " + String.join("; ", problems));
        }
    }

    /** Whether {@code key} (indices written {@code []}) is a known key or lies under a list or map read whole. */
    static boolean covered(String key, Set<String> known) {
        for (String k = key; !k.isEmpty(); k = parent(k)) {
            if (known.contains(k)) {
                return true;
            }
        }
        return false;
    }

    private static String parent(String key) {
        int cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
        return cut < 0 ? "" : key.substring(0, cut);
    }

    private static String unknown(String key, Set<String> known) {
        String closest = known.stream()
                .min(Comparator.comparingInt(k -> distance(k, key)))
                .orElse(null);
        String text = key + ": not a known key";
        if (closest == null) {
            return text;
        }
        text += " (the closest known key is " + closest;
        if (closest.replace('-', '.').equals(key.replace('-', '.'))) {
            // Helidon maps PODSYNC_A_B to podsync.a.b: a dash is written _DASH_ in an environment variable's name.
            text += "; an environment variable writes '-' as _DASH_: " + ServerConfig.environmentVariable(closest);
        }
        return text + ")";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int change = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + change);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** {@code podsync.auth.clients.0.scopes.1} → {@code podsync.auth.clients[].scopes[]}. */
    static String normalize(String key) {
        StringBuilder out = new StringBuilder();
        for (String part : key.split("\\.")) {
            if (!part.isEmpty() && part.chars().allMatch(Character::isDigit)) {
                out.append("[]");
            } else {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(part);
            }
        }
        return out.toString();
    }

    private RecordingConfig wrap(Config node) {
        return new RecordingConfig(node, read);
    }

    private void taken() {
        read.add(delegate.key().toString());
    }

    @Override
    public Instant timestamp() {
        return delegate.timestamp();
    }

    @Override
    public Key key() {
        return delegate.key();
    }

    @Override
    public Config root() {
        return delegate.root();
    }

    @Override
    public Config get(String key) {
        return wrap(delegate.get(key));
    }

    @Override
    public Config get(Key key) {
        return wrap(delegate.get(key));
    }

    @Override
    public Config detach() {
        taken();
        return delegate.detach();
    }

    @Override
    public Type type() {
        return delegate.type();
    }

    @Override
    public boolean hasValue() {
        return delegate.hasValue();
    }

    @Override
    public Stream<Config> traverse(Predicate<Config> predicate) {
        return delegate.traverse(predicate);
    }

    @Override
    public <T> T convert(Class<T> type, String value) throws ConfigMappingException {
        return delegate.convert(type, value);
    }

    @Override
    public ConfigMapper mapper() {
        return delegate.mapper();
    }

    @Override
    public <T> ConfigValue<T> as(GenericType<T> type) {
        taken();
        return delegate.as(type);
    }

    @Override
    public <T> ConfigValue<T> as(Class<T> type) {
        taken();
        return delegate.as(type);
    }

    @Override
    public <T> ConfigValue<T> as(Function<Config, T> mapper) {
        taken();
        return delegate.as(mapper);
    }

    @Override
    public <T> ConfigValue<List<T>> asList(Class<T> type) throws ConfigMappingException {
        taken();
        return delegate.asList(type);
    }

    @Override
    public <T> ConfigValue<List<T>> asList(Function<Config, T> mapper) throws ConfigMappingException {
        taken();
        return delegate.asList(mapper);
    }

    /** The nodes of a list, each recording what is read of it; the list itself is not taken whole. */
    @Override
    public ConfigValue<List<Config>> asNodeList() throws ConfigMappingException {
        return delegate.asNodeList()
                .as(nodes -> nodes.stream().map(n -> (Config) wrap(n)).toList());
    }

    @Override
    public ConfigValue<Map<String, String>> asMap() throws MissingValueException {
        taken();
        return delegate.asMap();
    }
}
