package io.podsync.storage;

/** One database transaction and the repositories bound to it. Valid only inside {@code Database.write} or read. */
public interface Tx {
    RouteRepository routes();

    EventRepository events();

    ChangeFeedRepository changes();

    DeviceRepository devices();

    ExceptionRepository exceptions();

    SigningKeyRepository signingKeys();

    SettingRepository settings();

    EvidenceRepository evidence();

    OutboxRepository outbox();

    OpsRepository ops();

    ConsoleSessionRepository consoleSessions();

    ReplicaRepository replicas();

    SlaRepository sla();

    /** What the trace of an order reads. */
    TraceRepository trace();

    /**
     * Reserves {@code count} consecutive ids from a named counter and returns the first. The counter row stays locked
     * until commit, which is what makes change-feed sequence numbers appear in commit order.
     */
    long reserveIds(String counter, int count);

    /**
     * Runs {@code action} once this transaction has committed, on the thread that asked for the write: never when it
     * rolls back, and once when it was tried again (a metric counts what happened, not what was tried).
     */
    void afterCommit(Runnable action);

    /** Work to run in a transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Tx tx);
    }
}
