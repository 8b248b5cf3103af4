package io.podsync.storage;

import java.util.List;

/** The change feed that devices pull from. */
public interface ChangeFeedRepository {
    /** Writes the changes, each replacing the audience's earlier row for the same entity, with fresh sequence numbers. */
    void publish(List<ChangeRow> changes);

    /** The audience's changes after {@code afterSeq}, oldest first. */
    List<ChangeRow> since(String audience, long afterSeq, int limit);

    /** The highest sequence number handed out so far. */
    long head();
}
