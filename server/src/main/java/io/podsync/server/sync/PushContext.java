package io.podsync.server.sync;

import java.time.Duration;
import java.time.Instant;

/**
 * What deciding a push needs to know about the request and its sender.
 *
 * @param measuredOffset the server's receive time minus the device's send time
 * @param appliedOffset the part of it applied to the device's capture times ({@link CaptureTimes#appliedOffset})
 * @param expiry until when a rejected event's receipt is kept
 * @param correlationId the request's correlation id, stored with its events so it travels on to the ERP
 */
record PushContext(
        String driverId,
        String deviceId,
        long receivedAt,
        long measuredOffset,
        long appliedOffset,
        long expiry,
        String correlationId) {

    static PushContext of(
            String driverId,
            String deviceId,
            Instant sentAt,
            long receivedAt,
            PushProcessor.Settings settings,
            String correlationId) {
        long measured = receivedAt - sentAt.toEpochMilli();
        long applied = CaptureTimes.appliedOffset(
                measured, settings.clockTrustTolerance().toMillis());
        Duration retention = settings.receiptRetention();
        return new PushContext(
                driverId, deviceId, receivedAt, measured, applied, receivedAt + retention.toMillis(), correlationId);
    }
}
