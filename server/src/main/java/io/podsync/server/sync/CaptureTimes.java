package io.podsync.server.sync;

import io.podsync.protocol.EventFlags;

/**
 * The clock step of a push: how far a device's clock is trusted, and where a capture time that cannot be right is
 * placed instead. Pure arithmetic on epoch milliseconds.
 */
final class CaptureTimes {
    private CaptureTimes() {}

    /**
     * The offset applied to the device's capture times: none while its clock is within {@code trustTolerance} of the
     * server's (small skews are noise), else all of the measured one.
     *
     * @param measured the server's receive time minus the device's send time
     */
    static long appliedOffset(long measured, long trustTolerance) {
        return Math.abs(measured) > trustTolerance ? measured : 0;
    }

    /**
     * An event's effective time and the flag that says it was moved ({@code null} when not): a corrected capture time
     * after the push arrived is the arrival, one before its stop was released is the release.
     */
    record Placed(long effective, String flag) {}

    static Placed place(long corrected, long receivedAt, long releasedAt, long futureTolerance) {
        if (corrected > receivedAt + futureTolerance) {
            return new Placed(receivedAt, EventFlags.CAPTURE_TIME_IN_FUTURE);
        }
        if (corrected < releasedAt - futureTolerance) {
            return new Placed(releasedAt, EventFlags.CAPTURE_TIME_BEFORE_RELEASE);
        }
        return new Placed(corrected, null);
    }
}
