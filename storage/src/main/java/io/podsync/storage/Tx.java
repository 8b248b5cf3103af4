package io.podsync.storage;

import java.util.Optional;

/** One database transaction and the repositories bound to it. Valid only inside {@link Database#write} or read. */
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

    /**
     * Reserves {@code count} consecutive ids from a named counter and returns the first. The counter row stays locked
     * until commit, which is what makes change-feed sequence numbers appear in commit order.
     */
    long reserveIds(String counter, int count);

    /**
     * What was read ahead, if no route row was written since (by another transaction, or by this one so far); empty
     * otherwise, and always outside SQLite's single writer.
     */
    <T> Optional<T> current(ReadAhead<T> ahead);

    /** Work to run in a transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Tx tx);
    }
}
