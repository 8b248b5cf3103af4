package io.podsync.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.podsync.server.ServerConfig;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SLA timers' settings as the server reads them: defaults, and a bad value stops it naming the key. */
class SlaSettingsTest {
    private static SlaMonitor.Settings read(Map<String, String> values) {
        return ServerConfig.from(Config.just(ConfigSources.create(values))).sla();
    }

    @Test
    void theTimersHaveDefaultsAndCanBeSet() {
        assertEquals(
                new SlaMonitor.Settings(
                        Duration.ZERO,
                        Duration.ofHours(2),
                        Duration.ofMinutes(30),
                        ZoneId.of("UTC"),
                        Duration.ofMinutes(1)),
                read(Map.of()));
        SlaMonitor.Settings s = read(Map.of(
                "podsync.sla.stop-late-after", "PT15M",
                "podsync.sla.time-zone", "Europe/Amsterdam",
                "podsync.sla.device-silent-after", "PT1H"));
        assertEquals(Duration.ofMinutes(15), s.stopLateAfter());
        assertEquals(ZoneId.of("Europe/Amsterdam"), s.zone());
        assertEquals(Duration.ofHours(1), s.deviceSilentAfter());
    }

    @Test
    void aBadValueStopsTheServerNamingTheKey() {
        Map<String, String> bad = Map.of(
                "podsync.sla.time-zone", "Mars/Olympus",
                "podsync.sla.stop-late-after", "-PT1M",
                "podsync.sla.route-dispatch-lead", "PT0S",
                "podsync.sla.check-interval", "soon");
        bad.forEach((key, value) -> {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> read(Map.of(key, value)), key);
            assertTrue(e.getMessage().contains(key), e.getMessage());
        });
    }
}
