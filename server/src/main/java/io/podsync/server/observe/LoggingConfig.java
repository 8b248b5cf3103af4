package io.podsync.server.observe;

/**
 * The server's log (standard error, through {@code java.util.logging}).
 *
 * @param format {@code podsync.logging.format}: {@code text} (default, one line per record) or {@code json} (JSON
 *     lines, one object per record, for log shippers)
 * @param accessLog {@code podsync.logging.access-log}: one line per request with its correlation id (default true)
 */
public record LoggingConfig(String format, boolean accessLog) {
    public boolean json() {
        return format.equals("json");
    }
}
