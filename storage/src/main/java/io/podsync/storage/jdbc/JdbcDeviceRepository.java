package io.podsync.storage.jdbc;

import io.podsync.storage.DeviceRepository;
import io.podsync.storage.DeviceRow;
import io.podsync.storage.EnrollmentRow;
import java.util.Optional;

final class JdbcDeviceRepository implements DeviceRepository {
    private final Sql sql;

    JdbcDeviceRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Optional<DeviceRow> find(String deviceId) {
        return sql.one("SELECT * FROM devices WHERE device_id = ?", JdbcDeviceRepository::row, deviceId);
    }

    static DeviceRow row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new DeviceRow(
                rs.getString("device_id"),
                rs.getString("driver_id"),
                rs.getString("name"),
                rs.getString("platform"),
                rs.getString("app_version"),
                rs.getString("secret_hash"),
                rs.getString("status"),
                rs.getLong("created_at"),
                Sql.nullableLong(rs, "last_seen_at"),
                Sql.nullableLong(rs, "clock_offset_ms"),
                rs.getLong("max_seq"));
    }

    @Override
    public void insert(DeviceRow d) {
        sql.update(
                """
                INSERT INTO devices (device_id, driver_id, name, platform, app_version, secret_hash, status, created_at,
                                     last_seen_at, clock_offset_ms, max_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                d.deviceId(),
                d.driverId(),
                d.name(),
                d.platform(),
                d.appVersion(),
                d.secretHash(),
                d.status(),
                d.createdAt(),
                d.lastSeenAt(),
                d.clockOffsetMs(),
                d.maxSeq());
    }

    @Override
    public void recordSync(String deviceId, long seenAt, long clockOffsetMs, long maxSeq) {
        sql.update("""
                UPDATE devices SET last_seen_at = ?, clock_offset_ms = ?,
                    max_seq = CASE WHEN max_seq > ? THEN max_seq ELSE ? END
                WHERE device_id = ?
                """, seenAt, clockOffsetMs, maxSeq, maxSeq, deviceId);
    }

    @Override
    public void recordError(String deviceId, String error, long at) {
        sql.update(
                "UPDATE devices SET last_error = ?, last_error_at = ? WHERE device_id = ?",
                error.length() > 80 ? error.substring(0, 80) : error,
                at,
                deviceId);
    }

    @Override
    public void recordProtocolVersion(String deviceId, String version) {
        sql.update("UPDATE devices SET protocol_version = ? WHERE device_id = ?", version, deviceId);
    }

    @Override
    public void touch(String deviceId, long seenAt) {
        sql.update(
                "UPDATE devices SET last_seen_at = ? WHERE device_id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)",
                seenAt,
                deviceId,
                seenAt);
    }

    @Override
    public boolean revoke(String deviceId, String by, long at) {
        return sql.update(
                        // revoking again keeps the first revocation's who and when
                        "UPDATE devices SET status = 'revoked', revoked_by = COALESCE(revoked_by, ?),"
                                + " revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?",
                        by,
                        at,
                        deviceId)
                == 1;
    }

    @Override
    public void insertEnrollment(EnrollmentRow e) {
        sql.update(
                """
                INSERT INTO enrollment_codes (code_hash, driver_id, created_by, created_at, expires_at, used_at,
                                              device_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, e.codeHash(), e.driverId(), e.createdBy(), e.createdAt(), e.expiresAt(), e.usedAt(), e.deviceId());
    }

    @Override
    public Optional<EnrollmentRow> findEnrollment(String codeHash) {
        return sql.one(
                "SELECT * FROM enrollment_codes WHERE code_hash = ?",
                rs -> new EnrollmentRow(
                        rs.getString("code_hash"),
                        rs.getString("driver_id"),
                        rs.getString("created_by"),
                        rs.getLong("created_at"),
                        rs.getLong("expires_at"),
                        Sql.nullableLong(rs, "used_at"),
                        rs.getString("device_id")),
                codeHash);
    }

    @Override
    public boolean redeem(String codeHash, String deviceId, long at) {
        return sql.update(
                        "UPDATE enrollment_codes SET used_at = ?, device_id = ? WHERE code_hash = ? AND used_at IS NULL",
                        at,
                        deviceId,
                        codeHash)
                == 1;
    }
}
