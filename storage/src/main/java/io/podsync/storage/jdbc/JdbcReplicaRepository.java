package io.podsync.storage.jdbc;

import io.podsync.storage.ReplicaRepository;
import io.podsync.storage.ReplicaRow;
import java.util.List;

final class JdbcReplicaRepository implements ReplicaRepository {
    private final Sql sql;

    JdbcReplicaRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public void beat(ReplicaRow r) {
        sql.update(
                "INSERT INTO replicas (replica_id, artifact_store, started_at, heartbeat_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (replica_id) DO UPDATE SET artifact_store = excluded.artifact_store,"
                        + " started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at",
                r.replicaId(),
                r.artifactStore(),
                r.startedAt(),
                r.heartbeatAt());
    }

    @Override
    public List<ReplicaRow> aliveSince(long since) {
        return sql.list(
                "SELECT replica_id, artifact_store, started_at, heartbeat_at FROM replicas WHERE heartbeat_at >= ?"
                        + " ORDER BY replica_id",
                rs -> new ReplicaRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)),
                since);
    }

    @Override
    public void remove(String replicaId) {
        sql.update("DELETE FROM replicas WHERE replica_id = ?", replicaId);
    }
}
