package io.podsync.storage.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.storage.Database;
import io.podsync.storage.DatabaseConfig;
import io.podsync.storage.EventRow;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events are stored all or none: one already stored (by key or by sequence number) leaves the batch unstored. */
class EventInsertTest {
    @TempDir
    Path dir;

    Database db;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.sqlite(dir.resolve("events.db")));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static EventRow event(long seq, String key, String verdict) {
        return new EventRow(
                "dev-1",
                seq,
                key,
                "drv-1",
                "S-1",
                "R-1",
                "NOTE",
                1,
                1000L,
                1000L,
                2000L,
                0,
                verdict,
                null,
                null,
                "",
                "fp-" + key,
                0,
                null,
                "{}",
                "corr");
    }

    private boolean insert(List<EventRow> rows) {
        return db.write(tx -> tx.events().insertAllIfNew(rows));
    }

    @Test
    void newEventsAreStoredAndNumberedInTheFeed() {
        assertTrue(insert(List.of(event(1, "k1", "APPLIED"), event(2, "k2", "APPLIED"))));

        var stored = db.read(tx -> tx.events().findByKeys("dev-1", Set.of("k1", "k2")));
        assertEquals(2, stored.size());
        assertTrue(stored.get("k1").feedSeq() > 0);
        assertTrue(stored.get("k2").feedSeq() > stored.get("k1").feedSeq());
    }

    @Test
    void aStoredKeyOrSequenceNumberLeavesTheWholeBatchUnstored() {
        assertTrue(insert(List.of(event(1, "k1", "APPLIED"))));

        assertFalse(insert(List.of(event(2, "k2", "APPLIED"), event(3, "k1", "APPLIED"))), "k1 is stored");
        assertFalse(insert(List.of(event(1, "k9", "APPLIED"), event(4, "k4", "APPLIED"))), "seq 1 is taken");

        assertEquals(1L, (long) db.read(tx -> tx.events().count()), "nothing of either batch stayed");
        var original =
                db.read(tx -> tx.events().findByKeys("dev-1", Set.of("k1"))).get("k1");
        assertEquals(1, original.seq());
        assertEquals("fp-k1", original.fingerprint(), "the stored event is untouched");
        assertTrue(insert(List.of(event(2, "k2", "APPLIED"))), "the new one goes in once retried alone");
        assertEquals(2L, (long) db.read(tx -> tx.events().count()));
    }
}
