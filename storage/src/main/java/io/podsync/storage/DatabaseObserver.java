package io.podsync.storage;

/**
 * Observes the database for metrics, logs and traces. Every method does nothing by default; the server sets one with
 * {@code Database.observe}.
 */
public interface DatabaseObserver {
    /**
     * A write transaction ended after {@code nanos} (on SQLite, waiting for the one writer included); {@code ok} when
     * it committed.
     */
    default void written(DatabaseKind kind, long nanos, boolean ok) {}

    /**
     * The work as it should run: with the caller's context (its trace, its correlation id for log lines) where it runs
     * on another thread, as every SQLite write does on the writer's.
     */
    default <T> Tx.Work<T> carry(Tx.Work<T> work) {
        return work;
    }

    DatabaseObserver NONE = new DatabaseObserver() {};
}
