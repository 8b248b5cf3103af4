package io.podsync.protocol;

import java.time.Instant;

/**
 * An enrolled device as operations list it ({@code GET /v1/ops/devices}), to find a lost phone or a stuck app.
 *
 * @param status {@code active} or {@code revoked}
 * @param protocolVersion the {@code Podsync-Protocol-Version} its requests last sent (absent if never)
 * @param lastSyncAt its last push or pull
 * @param clockOffsetMillis its clock minus the server's at its last push
 * @param lastError the last error it was answered (status and problem code, or a rejected event's reason)
 * @param evidenceMissing its events still waiting for evidence
 * @param revokedBy the client id of whoever revoked it (an ops API client, or the person signed in to the console)
 * @param revokedAt when it was revoked
 */
public record DeviceSummary(
        String deviceId,
        String driverId,
        String name,
        String platform,
        String appVersion,
        String protocolVersion,
        String status,
        Instant enrolledAt,
        Instant lastSyncAt,
        Long clockOffsetMillis,
        String lastError,
        Instant lastErrorAt,
        int evidenceMissing,
        String revokedBy,
        Instant revokedAt) {}
