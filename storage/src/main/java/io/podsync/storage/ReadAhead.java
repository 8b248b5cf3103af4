package io.podsync.storage;

/**
 * Route rows (routes, stops, order lines, assignments) read before a write and outside it, so that SQLite's single
 * writer need not read them itself. A write takes them through {@link Tx#current} only if no route row was written
 * since they were read; otherwise it reads again. On PostgreSQL nothing is read ahead: a write there reads (and locks)
 * its rows itself.
 *
 * @param generation the writer's count of transactions that wrote route rows, taken before the read began
 * @param value what was read, or null when nothing was
 */
public record ReadAhead<T>(long generation, T value) {
    /** Nothing read ahead: a write reads for itself. */
    public static <T> ReadAhead<T> none() {
        return new ReadAhead<>(-1, null);
    }
}
