package io.podsync.server.auth;

import io.podsync.server.http.ProblemException;
import io.podsync.storage.DeviceRow;
import io.podsync.storage.jdbc.Database;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses tokens of revoked devices or of devices bound to another driver. Looks each device up at most every few
 * seconds, so a revocation takes effect within that time without a database read per request.
 */
public final class DeviceGate {
    private static final long CACHE_MILLIS = 5_000;

    private record Entry(String driverId, boolean active, long checkedAt) {}

    private final Database db;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    public DeviceGate(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void requireActive(Principal p) {
        long now = clock.millis();
        Entry e = cache.get(p.deviceId());
        if (e == null || now - e.checkedAt() > CACHE_MILLIS) {
            DeviceRow row = db.read(tx -> tx.devices().find(p.deviceId())).orElse(null);
            e = row == null ? new Entry(null, false, now) : new Entry(row.driverId(), row.isActive(), now);
            if (cache.size() > 100_000) {
                cache.clear();
            }
            cache.put(p.deviceId(), e);
        }
        if (!e.active() || !p.subject().equals(e.driverId())) {
            throw ProblemException.unauthorized("device_revoked", "this device is not enrolled (any more)");
        }
    }

    /** Forget a device at once, after a revocation on this replica. */
    public void forget(String deviceId) {
        cache.remove(deviceId);
    }
}
