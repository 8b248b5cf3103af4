package io.podsync.server.sync;

/** Who a change-feed row is for: every device of a driver, or one device. */
public final class Audiences {
    private Audiences() {}

    public static String driver(String driverId) {
        return "driver:" + driverId;
    }

    public static String device(String deviceId) {
        return "device:" + deviceId;
    }
}
