package io.podsync.storage;

import java.util.List;

/** The change feed that devices pull from. */
public interface ChangeFeedRepository {
    /** Writes the changes, each replacing the audience's earlier row for the same entity, with fresh sequence numbers. */
    void publish(List<ChangeRow> changes);

    /**
     * The audience's changes after {@code afterSeq}, oldest first, at most {@code limit}: the published rows and the
     * stop states last published to it (kind {@code stop_state}, see {@link RouteRepository#upsertStates}).
     */
    List<ChangeRow> since(String audience, long afterSeq, int limit);

    /** The highest sequence number handed out so far. */
    long head();
}
