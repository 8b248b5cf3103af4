package io.podsync.storage.jdbc;

import io.podsync.storage.ReceiptRepository;
import io.podsync.storage.ReceiptRow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

final class JdbcReceiptRepository implements ReceiptRepository {
    private final Sql sql;

    JdbcReceiptRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Map<String, ReceiptRow> find(String deviceId, Collection<String> keys) {
        Map<String, ReceiptRow> out = new HashMap<>();
        for (List<String> chunk : Sql.chunks(new HashSet<>(keys), 500)) {
            List<Object> params = new ArrayList<>();
            params.add(deviceId);
            params.addAll(chunk);
            for (ReceiptRow r : sql.list(
                    "SELECT * FROM receipts WHERE device_id = ? AND idempotency_key IN (" + Sql.marks(chunk.size())
                            + ")",
                    rs -> new ReceiptRow(
                            rs.getString("device_id"),
                            rs.getString("idempotency_key"),
                            rs.getLong("seq"),
                            rs.getString("fingerprint"),
                            rs.getString("verdict"),
                            rs.getString("receipt_json"),
                            rs.getLong("created_at"),
                            rs.getLong("expires_at")),
                    params.toArray())) {
                out.put(r.idempotencyKey(), r);
            }
        }
        return out;
    }

    @Override
    public Map<Long, String> seqsTaken(String deviceId, Collection<Long> seqs) {
        Map<Long, String> out = new HashMap<>();
        for (List<Long> chunk : Sql.chunks(new HashSet<>(seqs), 500)) {
            List<Object> params = new ArrayList<>();
            params.add(deviceId);
            params.addAll(chunk);
            sql.list(
                            "SELECT seq, idempotency_key FROM receipts WHERE device_id = ? AND seq IN ("
                                    + Sql.marks(chunk.size()) + ")",
                            rs -> Map.entry(rs.getLong(1), rs.getString(2)),
                            params.toArray())
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    @Override
    public void insertAll(List<ReceiptRow> receipts) {
        sql.batch(
                """
                INSERT INTO receipts (device_id, idempotency_key, seq, fingerprint, verdict, receipt_json, created_at,
                                      expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                receipts,
                (ps, r) -> Sql.bind(
                        ps,
                        r.deviceId(),
                        r.idempotencyKey(),
                        r.seq(),
                        r.fingerprint(),
                        r.verdict(),
                        r.receiptJson(),
                        r.createdAt(),
                        r.expiresAt()));
    }

    @Override
    public int purgeExpired(long now, int limit) {
        return sql.update("""
                DELETE FROM receipts WHERE (device_id, idempotency_key) IN (
                    SELECT device_id, idempotency_key FROM receipts WHERE expires_at < ? LIMIT ?)
                """, now, limit);
    }
}
