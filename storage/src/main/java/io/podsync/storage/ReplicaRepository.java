package io.podsync.storage;

import java.util.List;

/** The replicas' heartbeats. */
public interface ReplicaRepository {
    /** Inserts or refreshes the replica's row. */
    void beat(ReplicaRow replica);

    /** Replicas whose last heartbeat is at or after {@code since}, by id. */
    List<ReplicaRow> aliveSince(long since);

    /** Removes the replica's row (a replica that stops cleanly). */
    void remove(String replicaId);
}
