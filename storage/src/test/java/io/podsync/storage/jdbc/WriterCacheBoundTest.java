package io.podsync.storage.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.podsync.storage.StopRow;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriterCacheBoundTest {
    private static StopRow stop(int i) {
        return StopRow.builder()
                .stopId("S-" + i)
                .routeId("R")
                .driverId("D")
                .sequence(i)
                .status("active")
                .version(1)
                .contentHash("h")
                .policyJson("{}")
                .releasedAt(1)
                .updatedAt(1)
                .manifestSince(1)
                .build();
    }

    @Test
    void itHoldsAtMostItsBoundPerKindAndDropsTheLeastRecentlyUsed() {
        WriterCache cache = new WriterCache();
        int over = WriterCache.MAX_STOPS + 1_000;
        for (int i = 0; i < over; i++) {
            cache.stop(stop(i));
            cache.lines("S-" + i, List.of());
            cache.state("S-" + i, null);
            if (i % 100 == 0) {
                cache.stop("S-0"); // kept in use
            }
        }
        assertEquals(3 * WriterCache.MAX_STOPS, cache.size());
        assertNotNull(cache.stop("S-0"));
        assertNull(cache.stop("S-1"));
        assertNotNull(cache.stop("S-" + (over - 1)));
        cache.clear();
        assertEquals(0, cache.size());
    }
}
