package io.podsync.server.erp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ERP settings as the server reads them at start: defaults, and a bad value stops it naming the key. */
class ErpConfigTest {
    private static ErpConfig read(Map<String, String> values) {
        return ErpConfig.from(Config.just(ConfigSources.create(values)).get("podsync"));
    }

    @Test
    void theConnectTimeoutDefaultsToTenSecondsAndCanBeSet() {
        assertEquals(Duration.ofSeconds(10), read(Map.of()).connectTimeout());
        assertEquals(
                Duration.ofMillis(1500),
                read(Map.of("podsync.erp.connect-timeout", "PT1.5S")).connectTimeout());
    }

    @Test
    void aConnectTimeoutOutOfRangeOrMalformedStopsTheServerNamingTheKey() {
        for (String bad : new String[] {"PT0S", "PT0.05S", "PT61S", "-PT1S", "ten seconds"}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> read(Map.of("podsync.erp.connect-timeout", bad)), bad);
            assertTrue(e.getMessage().contains("podsync.erp.connect-timeout"), e.getMessage());
        }
    }

    /** The lease erp-integration.md documents: what a crashed replica had taken goes again when it runs out. */
    @Test
    void theOutboxLeaseIsTheDocumentedOne() {
        ErpConfig c = read(Map.of(
                "podsync.erp.endpoints.0.name", "erp",
                "podsync.erp.endpoints.0.url", "http://127.0.0.1:9/hook",
                "podsync.erp.endpoints.0.secrets.0", "whsec_" + "A".repeat(32)));
        ErpConfig.Endpoint e = c.endpoints().get(0);
        assertEquals(Duration.ofSeconds(15), e.timeout());
        assertEquals(16, e.maxInFlight());
        assertEquals(Duration.ofSeconds(70), OutboxDispatcher.lease(e, 1, c.connectTimeout()));
        assertEquals(Duration.ofSeconds(70), OutboxDispatcher.lease(e, 15, c.connectTimeout()));
        assertEquals(Duration.ofSeconds(85), OutboxDispatcher.lease(e, 16, c.connectTimeout()), "a wave queued ahead");
    }
}
