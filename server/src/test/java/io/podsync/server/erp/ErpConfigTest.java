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
}
