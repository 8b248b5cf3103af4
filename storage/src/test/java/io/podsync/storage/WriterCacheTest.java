package io.podsync.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The SQLite writer answers the push path's reads of stops, lines and states from memory: what it answers must be what
 * the database holds, after writes and after rollbacks, as a fresh reader sees it.
 */
class WriterCacheTest extends SqliteDatabaseTest {
    private static OrderLineRow line(String stopId, String lineId, String qty) {
        return new OrderLineRow(stopId, "O-1", lineId, "SKU", "thing", new BigDecimal(qty), "pc", false);
    }

    private StopRow pushView(String id) {
        return db.write(tx -> tx.routes().lockStops(Set.of(id)).get(id));
    }

    @Test
    void aWrittenStopIsReadAsWritten() {
        db.write(tx -> {
            tx.routes().upsertStop(stop("S-1", "D-1", 1));
            return null;
        });
        assertEquals("D-1", pushView("S-1").driverId()); // now remembered
        db.write(tx -> {
            tx.routes().upsertStop(stop("S-1", "D-2", 2));
            return null;
        });
        assertEquals("D-2", pushView("S-1").driverId());
        assertEquals(2, pushView("S-1").version());
        assertNull(pushView("S-404"));
    }

    @Test
    void whatAPieceReadBeforeItFailedIsForgotten() {
        db.write(tx -> {
            tx.routes().upsertStop(stop("S-1", "D-1", 1));
            tx.routes().replaceLines("S-1", List.of(line("S-1", "L-1", "3")));
            tx.routes()
                    .upsertStates(
                            List.of(new StopStateRow("S-1", "driver:D-1", "arrived", "{\"a\":1}", 1L, List.of())));
            return null;
        });
        assertThrows(
                IllegalStateException.class,
                () -> db.write(tx -> {
                    tx.routes().upsertStop(stop("S-1", "D-9", 9));
                    tx.routes().replaceLines("S-1", List.of(line("S-1", "L-9", "9")));
                    tx.routes()
                            .upsertStates(List.of(
                                    new StopStateRow("S-1", "driver:D-1", "failed", "{\"a\":9}", 9L, List.of())));
                    // Read back inside the piece: these are the rows about to be undone.
                    assertEquals(
                            "D-9",
                            tx.routes().lockStops(Set.of("S-1")).get("S-1").driverId());
                    assertEquals(
                            "L-9",
                            tx.routes().linesOfStops(Set.of("S-1")).get(0).lineId());
                    assertEquals(
                            "failed",
                            tx.routes().findStates(Set.of("S-1")).get("S-1").status());
                    throw new IllegalStateException("the piece fails");
                }));
        assertEquals("D-1", pushView("S-1").driverId());
        db.write(tx -> {
            assertEquals("L-1", tx.routes().linesOfStops(Set.of("S-1")).get(0).lineId());
            assertEquals(
                    "arrived", tx.routes().findStates(Set.of("S-1")).get("S-1").status());
            return null;
        });
        assertEquals(
                "D-1",
                db.read(tx -> tx.routes().findStops(Set.of("S-1"))).get("S-1").driverId());
    }

    @Test
    void linesAndStatesFollowTheirWrites() {
        db.write(tx -> {
            tx.routes().upsertStop(stop("S-1", "D-1", 1));
            tx.routes().replaceLines("S-1", List.of(line("S-1", "L-1", "3"), line("S-1", "L-2", "4")));
            return null;
        });
        db.write(tx -> {
            assertEquals(2, tx.routes().linesOfStops(Set.of("S-1", "S-2")).size());
            assertTrue(tx.routes().findStates(Set.of("S-1")).isEmpty()); // none yet, and remembered as none
            return null;
        });
        db.write(tx -> {
            tx.routes().replaceLines("S-1", List.of(line("S-1", "L-3", "5")));
            tx.routes().upsertStates(List.of(new StopStateRow("S-1", "driver:D-1", "delivered", "{}", 2L, List.of())));
            return null;
        });
        db.write(tx -> {
            List<OrderLineRow> lines = tx.routes().linesOfStops(Set.of("S-1"));
            assertEquals(1, lines.size());
            assertEquals(new BigDecimal("5"), lines.get(0).quantity());
            assertEquals(
                    "delivered",
                    tx.routes().findStates(Set.of("S-1")).get("S-1").status());
            return null;
        });
    }
}
