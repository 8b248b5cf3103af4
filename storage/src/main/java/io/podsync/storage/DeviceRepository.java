package io.podsync.storage;

import java.util.Optional;

/** Enrolled devices and enrollment codes. */
public interface DeviceRepository {
    Optional<DeviceRow> find(String deviceId);

    void insert(DeviceRow device);

    void recordSync(String deviceId, long seenAt, long clockOffsetMs, long maxSeq);

    /** Records that the device synced (a pull) at {@code seenAt}, unless it was seen later already. */
    void touch(String deviceId, long seenAt);

    /** Revokes the device, recording who did it and when (the first time); false when there is no such device. */
    boolean revoke(String deviceId, String by, long at);

    /** The last error the device met (a problem code, or a rejected event's reason), and when. */
    void recordError(String deviceId, String error, long at);

    /** The protocol version the device says it speaks ({@code Podsync-Protocol-Version}). */
    void recordProtocolVersion(String deviceId, String version);

    void insertEnrollment(EnrollmentRow enrollment);

    Optional<EnrollmentRow> findEnrollment(String codeHash);

    /** Marks the code used by this device; false when it was used already. */
    boolean redeem(String codeHash, String deviceId, long at);
}
