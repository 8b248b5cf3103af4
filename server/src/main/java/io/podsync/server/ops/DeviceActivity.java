package io.podsync.server.ops;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.podsync.protocol.ProtocolVersion;
import io.podsync.server.auth.Principal;
import io.podsync.server.http.ErrorMapping;
import io.podsync.storage.jdbc.Database;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Remembers, for the device list of operations, what a device's requests say about it: the protocol version it speaks
 * ({@code Podsync-Protocol-Version}) and the last error it was answered. Written after the answer, on a thread of its
 * own, and only when something changed: a version once per change, an error at most every {@value #ERROR_EVERY_MS} ms
 * per device, so that an app stuck in a loop of errors does not turn into a loop of writes.
 */
public final class DeviceActivity implements Filter {
    private static final System.Logger LOG = System.getLogger(DeviceActivity.class.getName());
    private static final HeaderName VERSION = HeaderNames.create(ProtocolVersion.HEADER);
    private static final Pattern SANE_VERSION = Pattern.compile("\\d{1,4}\\.\\d{1,4}");
    static final long ERROR_EVERY_MS = 10_000;
    private static final int MAX_REMEMBERED = 100_000;

    private final Database db;
    private final Clock clock;
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    private final Map<String, Long> errors = new ConcurrentHashMap<>();

    public DeviceActivity(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Principal p = req.context().get(Principal.class).orElse(null);
        if (p != null && p.isDriver()) {
            String device = p.deviceId();
            String version = req.headers()
                    .first(VERSION)
                    .filter(v -> SANE_VERSION.matcher(v).matches())
                    .orElse(null);
            res.whenSent(() -> {
                if (version != null && !version.equals(versions.get(device))) {
                    bounded(versions).put(device, version);
                    later(() -> db.write(tx -> {
                        tx.devices().recordProtocolVersion(device, version);
                        return null;
                    }));
                }
                String error = ErrorMapping.answered(req);
                long now = clock.millis();
                if (error != null && now - errors.getOrDefault(device, Long.MIN_VALUE / 2) >= ERROR_EVERY_MS) {
                    bounded(errors).put(device, now);
                    String what = res.status().code() + " " + error;
                    later(() -> db.write(tx -> {
                        tx.devices().recordError(device, what, now);
                        return null;
                    }));
                }
            });
        }
        chain.proceed();
    }

    private static <V> Map<String, V> bounded(Map<String, V> m) {
        if (m.size() > MAX_REMEMBERED) {
            m.clear(); // a bound, not a policy: a device forgotten here is written once more
        }
        return m;
    }

    private static void later(Runnable write) {
        Thread.ofVirtual().name("podsync-device-activity").start(() -> {
            try {
                write.run();
            } catch (RuntimeException e) { // the database is down: the listing is a little behind, nothing more
                LOG.log(Level.DEBUG, "device activity not recorded: " + e.getMessage());
            }
        });
    }
}
