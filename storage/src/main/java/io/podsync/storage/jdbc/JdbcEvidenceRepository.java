package io.podsync.storage.jdbc;

import io.podsync.storage.ArtifactRow;
import io.podsync.storage.EvidenceLinkRow;
import io.podsync.storage.EvidenceRepository;
import io.podsync.storage.UploadRow;
import io.podsync.storage.UploadSegmentRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

final class JdbcEvidenceRepository implements EvidenceRepository {
    private static final int IN_CHUNK = 500;
    private final Sql sql;

    JdbcEvidenceRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Set<String> storedOf(Collection<String> sha256s) {
        Set<String> out = new HashSet<>();
        for (List<String> chunk : Sql.chunks(new HashSet<>(sha256s), IN_CHUNK)) {
            out.addAll(sql.list(
                    "SELECT sha256 FROM artifacts WHERE sha256 IN (" + Sql.marks(chunk.size()) + ")",
                    rs -> rs.getString(1),
                    chunk.toArray()));
        }
        return out;
    }

    @Override
    public Optional<ArtifactRow> findArtifact(String sha256) {
        return sql.one("SELECT * FROM artifacts WHERE sha256 = ?", JdbcEvidenceRepository::artifact, sha256);
    }

    @Override
    public boolean insertArtifact(ArtifactRow a) {
        return sql.update("""
                        INSERT INTO artifacts (sha256, size, media_type, kind, stored_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (sha256) DO NOTHING
                        """, a.sha256(), a.size(), a.mediaType(), a.kind(), a.storedAt()) == 1;
    }

    @Override
    public void link(List<EvidenceLinkRow> links) {
        sql.batch("""
                INSERT INTO event_evidence (device_id, idempotency_key, sha256, driver_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (device_id, idempotency_key, sha256) DO NOTHING
                """, links, (ps, l) -> Sql.bind(ps, l.deviceId(), l.idempotencyKey(), l.sha256(), l.driverId()));
    }

    @Override
    public Map<String, List<String>> missingFor(String deviceId, Collection<String> keys) {
        Map<String, List<String>> out = new TreeMap<>();
        for (List<String> chunk : Sql.chunks(new HashSet<>(keys), IN_CHUNK)) {
            List<Object> params = new ArrayList<>();
            params.add(deviceId);
            params.addAll(chunk);
            sql.list(
                            """
                            SELECT l.idempotency_key, l.sha256 FROM event_evidence l
                            LEFT JOIN artifacts a ON a.sha256 = l.sha256
                            WHERE l.device_id = ? AND a.sha256 IS NULL AND l.idempotency_key IN (""" + Sql.marks(chunk.size()) + ") ORDER BY l.idempotency_key, l.sha256",
                            rs -> Map.entry(rs.getString(1), rs.getString(2)),
                            params.toArray())
                    .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(e.getValue()));
        }
        return out;
    }

    @Override
    public List<EvidenceLinkRow> awaiting(String sha256) {
        return sql.list(
                """
                SELECT l.device_id, l.idempotency_key, l.sha256, l.driver_id FROM event_evidence l
                JOIN events e ON e.device_id = l.device_id AND e.idempotency_key = l.idempotency_key
                WHERE l.sha256 = ? AND e.verdict = 'AWAITING_EVIDENCE'
                """,
                rs -> new EvidenceLinkRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                sha256);
    }

    @Override
    public boolean mayRead(String driverId, String sha256) {
        return sql.one("""
                        SELECT 1 FROM event_evidence WHERE driver_id = ? AND sha256 = ?
                        UNION ALL SELECT 1 FROM uploads WHERE driver_id = ? AND sha256 = ? AND status = 'completed'
                        """, rs -> 1, driverId, sha256, driverId, sha256).isPresent();
    }

    @Override
    public void insertUpload(UploadRow u) {
        sql.update(
                """
                INSERT INTO uploads (upload_id, device_id, driver_id, sha256, size, media_type, kind, upload_offset,
                                     status, created_at, updated_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                u.uploadId(),
                u.deviceId(),
                u.driverId(),
                u.sha256(),
                u.size(),
                u.mediaType(),
                u.kind(),
                u.offset(),
                u.status(),
                u.createdAt(),
                u.updatedAt(),
                u.expiresAt());
    }

    @Override
    public Optional<UploadRow> findUpload(String uploadId) {
        return sql.one("SELECT * FROM uploads WHERE upload_id = ?", JdbcEvidenceRepository::upload, uploadId);
    }

    @Override
    public Optional<UploadRow> openUploadOf(String deviceId, String sha256) {
        return sql.one(
                "SELECT * FROM uploads WHERE device_id = ? AND sha256 = ? AND status = 'open'",
                JdbcEvidenceRepository::upload,
                deviceId,
                sha256);
    }

    @Override
    public Optional<UploadRow> doneUploadOf(String deviceId, String sha256) {
        return sql.one("""
                SELECT * FROM uploads WHERE device_id = ? AND sha256 = ? AND status IN ('completed', 'known')
                ORDER BY created_at LIMIT 1
                """, JdbcEvidenceRepository::upload, deviceId, sha256);
    }

    @Override
    public int countOpenUploads(String deviceId) {
        return sql.one(
                        "SELECT COUNT(*) FROM uploads WHERE device_id = ? AND status = 'open'",
                        rs -> rs.getInt(1),
                        deviceId)
                .orElse(0);
    }

    @Override
    public boolean advanceUpload(String uploadId, long from, long to, long now) {
        return sql.update("""
                        UPDATE uploads SET upload_offset = ?, updated_at = ?
                        WHERE upload_id = ? AND upload_offset = ? AND status = 'open'
                        """, to, now, uploadId, from) == 1;
    }

    @Override
    public void setUploadStatus(String uploadId, String status, long now) {
        sql.update("UPDATE uploads SET status = ?, updated_at = ? WHERE upload_id = ?", status, now, uploadId);
    }

    @Override
    public void addSegment(UploadSegmentRow s) {
        sql.update(
                "INSERT INTO upload_segments (upload_id, seg_offset, length, staging_key, sha256) VALUES (?, ?, ?, ?, ?)",
                s.uploadId(),
                s.offset(),
                s.length(),
                s.stagingKey(),
                s.sha256());
    }

    @Override
    public List<UploadSegmentRow> segments(String uploadId) {
        return sql.list(
                "SELECT * FROM upload_segments WHERE upload_id = ? ORDER BY seg_offset",
                rs -> new UploadSegmentRow(
                        rs.getString("upload_id"),
                        rs.getLong("seg_offset"),
                        rs.getLong("length"),
                        rs.getString("staging_key"),
                        rs.getString("sha256")),
                uploadId);
    }

    @Override
    public List<UploadRow> expiredUploads(long now, int limit) {
        return sql.list(
                "SELECT * FROM uploads WHERE expires_at < ? AND status NOT IN ('completed', 'known') ORDER BY expires_at LIMIT ?",
                JdbcEvidenceRepository::upload,
                now,
                limit);
    }

    @Override
    public void deleteUpload(String uploadId) {
        sql.update("DELETE FROM upload_segments WHERE upload_id = ?", uploadId);
        sql.update("DELETE FROM uploads WHERE upload_id = ?", uploadId);
    }

    static ArtifactRow artifact(ResultSet rs) throws SQLException {
        return new ArtifactRow(
                rs.getString("sha256"),
                rs.getLong("size"),
                rs.getString("media_type"),
                rs.getString("kind"),
                rs.getLong("stored_at"));
    }

    static UploadRow upload(ResultSet rs) throws SQLException {
        return new UploadRow(
                rs.getString("upload_id"),
                rs.getString("device_id"),
                rs.getString("driver_id"),
                rs.getString("sha256"),
                rs.getLong("size"),
                rs.getString("media_type"),
                rs.getString("kind"),
                rs.getLong("upload_offset"),
                rs.getString("status"),
                rs.getLong("created_at"),
                rs.getLong("updated_at"),
                rs.getLong("expires_at"));
    }
}
