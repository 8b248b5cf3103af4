package io.podsync.simulator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventType;
import io.podsync.protocol.client.IdempotencyKeys;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox is the app's memory across crashes: whatever was committed must come back after a reopen. */
class OutboxTest {
    @TempDir
    Path dir;

    private static CapturedEvent event(long seq) {
        return new CapturedEvent(IdempotencyKeys.newKey(), seq, EventType.ARRIVED, "S-1", 1, Instant.now(), null);
    }

    @Test
    void pendingEventsEvidenceIdentityAndCursorSurviveACrash() {
        Path file = dir.resolve("device.db");
        Artifact sig = Artifact.signature(new Random(1));
        CapturedEvent first;
        CapturedEvent second;
        Outbox o = Outbox.open(file);
        o.saveIdentity(new Outbox.Identity("dev-1", "secret-1"));
        first = o.capture(OutboxTest::event, List.of());
        second = o.capture(OutboxTest::event, List.of(sig));
        o.markDone(first.idempotencyKey(), "applied");
        o.saveCursor("c1");
        o.uploadStarted(sig.sha256(), "up-1");
        // no orderly shutdown: drop the object without close, as a killed process would, and open the file again
        Outbox reopened = Outbox.open(file);
        assertEquals(new Outbox.Identity("dev-1", "secret-1"), reopened.identity());
        assertEquals("c1", reopened.cursor());
        assertEquals(List.of(second), reopened.pending(10));
        assertEquals(List.of(first), reopened.done(10));
        Outbox.Upload u = reopened.uploads().getFirst();
        assertEquals("up-1", u.uploadId());
        assertTrue(java.util.Arrays.equals(sig.bytes(), u.bytes()));
        CapturedEvent third = reopened.capture(OutboxTest::event, List.of());
        assertEquals(3L, third.seq(), "the sequence counter is durable and never reused");
        reopened.close();
        o.close();
    }

    @Test
    void aPulledVerdictEndsAPendingEventAndTheCursorCommitsWithIt() {
        try (Outbox o = Outbox.open(dir.resolve("d.db"))) {
            o.saveIdentity(new Outbox.Identity("dev-2", "s"));
            CapturedEvent e = o.capture(OutboxTest::event, List.of());
            assertNull(o.cursor());
            o.applyPage(Map.of(e.idempotencyKey(), "applied"), "c2");
            assertEquals(0, o.pending(10).size());
            assertEquals("applied", o.verdicts().get(e.idempotencyKey()));
            assertEquals("c2", o.cursor());
        }
    }

    @Test
    void evidenceHasTheMagicBytesTheServerSniffs() {
        Random r = new Random(3);
        byte[] png = Artifact.signature(r).bytes();
        byte[] jpeg = Artifact.photo(r).bytes();
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        assertEquals((byte) 0x0A, png[7]);
        assertEquals((byte) 0xFF, jpeg[0]);
        assertEquals((byte) 0xD8, jpeg[1]);
        assertEquals((byte) 0xE0, jpeg[3]);
    }
}
