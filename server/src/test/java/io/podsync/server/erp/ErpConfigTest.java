package io.podsync.server.erp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.podsync.protocol.ErpEventType;
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

    private static Map<String, String> endpoint(String... types) {
        Map<String, String> m = new java.util.HashMap<>();
        m.put("podsync.erp.endpoints.0.name", "erp");
        m.put("podsync.erp.endpoints.0.url", "http://127.0.0.1:9000/webhooks/pod");
        m.put("podsync.erp.endpoints.0.secrets.0", "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        for (int i = 0; i < types.length; i++) {
            m.put("podsync.erp.endpoints.0.types." + i, types[i]);
        }
        return m;
    }

    @Test
    void anEndpointReceivesProofOfDeliveryUnlessItListsItsTypes() {
        assertEquals(
                java.util.Set.of(
                        ErpEventType.POD_DELIVERED,
                        ErpEventType.POD_PARTIALLY_DELIVERED,
                        ErpEventType.POD_FAILED,
                        ErpEventType.POD_CORRECTED),
                read(endpoint()).endpoints().get(0).types());
        ErpConfig feed = read(endpoint("io.podsync.stop.arrived.v1", "io.podsync.route.completed.v1"));
        assertEquals(
                java.util.Set.of(ErpEventType.STOP_ARRIVED, ErpEventType.ROUTE_COMPLETED),
                feed.endpoints().get(0).types());
        assertTrue(feed.anyWants(ErpEventType.STOP_ARRIVED));
        assertTrue(!feed.anyWants(ErpEventType.POD_DELIVERED));
    }

    @Test
    void anUnknownTypeOrAMalformedPublicUrlStopsTheServerNamingTheKey() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> read(endpoint("io.podsync.stop.teleported.v1")));
        assertTrue(e.getMessage().contains("podsync.erp.endpoints[0].types"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> read(Map.of("podsync.public-url", "pod.example.com")));
        assertTrue(e.getMessage().contains("podsync.public-url"), e.getMessage());
        assertEquals(
                "https://pod.example.com",
                read(Map.of("podsync.public-url", "https://pod.example.com/")).publicUrl());
    }
}
