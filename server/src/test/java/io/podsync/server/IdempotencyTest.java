package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.RejectReasons;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.ProtocolJson;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replays, conflicts, canonical fingerprints, concurrent twins, and bad events that must not block good ones. */
class IdempotencyTest {
    static TestServer server;
    static TestServer.Device device;

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        server = TestServer.start(dir, db);
        server.erp().releaseRoute("RI", Fixtures.route("RI", "DI", 5));
        device = server.device("DI");
        return server;
    });

    private static final Instant T = Instant.now().minusSeconds(120);

    private static PushResponse push(CapturedEvent... events) {
        return device.client().push(new PushRequest(Instant.now(), List.of(events)));
    }

    @Test
    void aReplayGetsTheStoredVerdictExactly() {
        CapturedEvent e = Fixtures.event("idem-1", 101, EventType.ARRIVED, "RI-S1", T, null);
        EventResult first = push(e).results().get(0);
        assertEquals(Verdict.APPLIED, first.verdict());

        EventResult again = push(e).results().get(0);
        assertEquals(Verdict.DUPLICATE, again.verdict());
        assertNotNull(again.original());
        assertEquals(withoutIndex(first), again.original());
        // and a third time, identical to the second
        assertEquals(again.original(), push(e).results().get(0).original());
    }

    @Test
    void theSameKeyWithOtherContentIsAConflictAndTheFirstContentStands() {
        CapturedEvent e = Fixtures.event(
                "idem-2", 102, EventType.FAILED, "RI-S2", T, EventPayload.EMPTY.withReasonCode("NO_ONE_HOME"));
        push(e);
        CapturedEvent changed = Fixtures.event(
                "idem-2", 102, EventType.FAILED, "RI-S2", T, EventPayload.EMPTY.withReasonCode("REFUSED"));
        EventResult r = push(changed).results().get(0);
        assertEquals(Verdict.CONFLICT, r.verdict());
        assertEquals(RejectReasons.IDEMPOTENCY_KEY_REUSED, r.reason());
        assertEquals(Verdict.APPLIED, r.original().verdict());
        assertEquals("failed", server.stopState("RI", "RI-S2").status());
    }

    @Test
    void theFingerprintIgnoresFieldOrderWhitespaceAndNumberSpelling() {
        String a = """
                {"sentAt":"%s","events":[{"idempotencyKey":"idem-3","seq":103,"type":"delivered","stopId":"RI-S3",
                 "capturedAt":"%s","payload":{"lines":[{"orderId":"RI-O3","lineId":"L1","delivered":4}]}}]}
                """.formatted(Instant.now(), T);
        String b = """
                {
                  "events": [ { "payload": { "lines": [ { "delivered": 4.000, "lineId": "L1", "orderId": "RI-O3" } ] },
                                "capturedAt": "%s", "stopId": "RI-S3", "type": "delivered", "seq": 103,
                                "idempotencyKey": "idem-3", "attempt": 1 } ],
                  "sentAt": "%s"
                }
                """.formatted(T, Instant.now());
        JsonNode first = results(server.postJson("/v1/sync/push", a, device.token()));
        JsonNode second = results(server.postJson("/v1/sync/push", b, device.token()));
        assertEquals("applied", first.get(0).get("verdict").asText());
        assertEquals("duplicate", second.get(0).get("verdict").asText(), second.toString());
    }

    @Test
    void twoConcurrentPushesOfOneKeyApplyItOnce() throws Exception {
        CapturedEvent e = Fixtures.event(
                "idem-4", 104, EventType.NOTE, "RI-S4", T, EventPayload.EMPTY.withNote("gate code 1234"));
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<EventResult>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(pool.submit(() -> {
                go.await();
                return push(e).results().get(0);
            }));
        }
        go.countDown();
        int applied = 0;
        int duplicates = 0;
        for (Future<EventResult> f : futures) {
            EventResult r = f.get();
            if (r.verdict() == Verdict.APPLIED) {
                applied++;
            } else if (r.verdict() == Verdict.DUPLICATE) {
                duplicates++;
            }
        }
        pool.shutdown();
        assertEquals(1, applied);
        assertEquals(n - 1, duplicates);
    }

    @Test
    void oneBadEventNeverBlocksTheOthers() {
        String body = """
                {"sentAt":"%s","events":[
                  {"idempotencyKey":"idem-5a","seq":105,"type":"arrived","stopId":"RI-S5","capturedAt":"%s"},
                  {"idempotencyKey":"idem-5b","seq":106,"type":"teleported","stopId":"RI-S5","capturedAt":"%s"},
                  {"idempotencyKey":"idem-5c","seq":"107","type":"note","stopId":"RI-S5","capturedAt":"%s"},
                  {"idempotencyKey":"idem-5d","seq":108,"type":"note","stopId":"NOPE","capturedAt":"%s"},
                  {"seq":109,"type":"note","stopId":"RI-S5","capturedAt":"%s"},
                  17,
                  {"idempotencyKey":"idem-5e","seq":110,"type":"departed","stopId":"RI-S5","capturedAt":"%s"}
                ]}
                """.formatted(Instant.now(), T, T, T, T, T, T);
        HttpResponse<String> res = server.postJson("/v1/sync/push", body, device.token());
        assertEquals(200, res.statusCode(), res.body());
        JsonNode r = results(res);
        assertEquals(7, r.size());
        assertEquals("applied", r.get(0).get("verdict").asText());
        assertEquals("rejected", r.get(1).get("verdict").asText());
        assertEquals("unknown_event_type", r.get(1).get("reason").asText());
        assertEquals("events[1].type", r.get(1).get("field").asText());
        assertEquals("rejected", r.get(2).get("verdict").asText());
        assertEquals("invalid_type", r.get(2).get("reason").asText());
        assertEquals("events[2].seq", r.get(2).get("field").asText());
        assertEquals("rejected", r.get(3).get("verdict").asText());
        assertEquals(RejectReasons.STOP_NOT_ASSIGNED, r.get(3).get("reason").asText());
        assertEquals("events[4].idempotencyKey", r.get(4).get("field").asText());
        assertEquals("events[5]", r.get(5).get("field").asText());
        assertEquals("applied", r.get(6).get("verdict").asText());
        for (int i = 0; i < r.size(); i++) {
            assertEquals(i, r.get(i).get("index").asInt());
        }
        // A stored rejection is replayed as a duplicate, not re-judged.
        JsonNode again = results(server.postJson("/v1/sync/push", body, device.token()));
        assertEquals("duplicate", again.get(1).get("verdict").asText());
        assertEquals("rejected", again.get(1).get("original").get("verdict").asText());
    }

    @Test
    void aSequenceNumberUsedByAnotherKeyIsRejected() {
        push(Fixtures.event("idem-6a", 111, EventType.NOTE, "RI-S1", T, null));
        EventResult r = push(Fixtures.event("idem-6b", 111, EventType.NOTE, "RI-S1", T, null))
                .results()
                .get(0);
        assertEquals(Verdict.REJECTED, r.verdict());
        assertEquals(RejectReasons.SEQUENCE_REUSED, r.reason());
        assertEquals("events[0].seq", r.field());
    }

    @Test
    void aRepeatedKeyInsideOneBatchIsADuplicateOfTheFirst() {
        CapturedEvent e = Fixtures.event("idem-7", 112, EventType.NOTE, "RI-S1", T, null);
        PushResponse r = push(e, e);
        assertEquals(Verdict.APPLIED, r.results().get(0).verdict());
        assertEquals(Verdict.DUPLICATE, r.results().get(1).verdict());
        assertNull(r.results().get(1).original().index());
    }

    /**
     * A push's events are stored in one batch that skips those whose key or sequence number is taken; every kind of
     * "not new" in one push, before and after new events, still gets the verdict it would get alone.
     */
    @Test
    void aPushMixingReplaysTwinsAndTakenSequenceNumbersGivesEachItsOwnVerdict() {
        CapturedEvent old = Fixtures.event("idem-8a", 120, EventType.NOTE, "RI-S1", T, null);
        EventResult original = push(old).results().get(0);
        assertEquals(Verdict.APPLIED, original.verdict());

        CapturedEvent fresh = Fixtures.event("idem-8b", 121, EventType.NOTE, "RI-S1", T, null);
        CapturedEvent sameSeqAsFresh = Fixtures.event("idem-8c", 121, EventType.NOTE, "RI-S1", T, null);
        CapturedEvent seqOfOld = Fixtures.event("idem-8d", 120, EventType.NOTE, "RI-S1", T, null);
        CapturedEvent sameKeyFreeSeq = Fixtures.event("idem-8d", 122, EventType.NOTE, "RI-S1", T, null);
        CapturedEvent oldWithOtherContent = Fixtures.event("idem-8a", 120, EventType.ARRIVED, "RI-S1", T, null);
        List<EventResult> r = push(old, fresh, sameSeqAsFresh, seqOfOld, sameKeyFreeSeq, old, oldWithOtherContent)
                .results();

        assertEquals(Verdict.DUPLICATE, r.get(0).verdict());
        assertEquals(withoutIndex(original), r.get(0).original());
        assertEquals(Verdict.APPLIED, r.get(1).verdict());
        assertEquals(Verdict.REJECTED, r.get(2).verdict());
        assertEquals(RejectReasons.SEQUENCE_REUSED, r.get(2).reason());
        assertEquals(Verdict.REJECTED, r.get(3).verdict());
        assertEquals(RejectReasons.SEQUENCE_REUSED, r.get(3).reason());
        // Its key was refused with a taken sequence number, so the key is still free for a free one.
        assertEquals(Verdict.APPLIED, r.get(4).verdict());
        assertEquals(Verdict.DUPLICATE, r.get(5).verdict());
        assertEquals(Verdict.CONFLICT, r.get(6).verdict());
        assertEquals(withoutIndex(original), r.get(6).original());
        for (int i = 0; i < r.size(); i++) {
            assertEquals(i, r.get(i).index());
        }
        // Exactly the two new events were stored: the same push again is all duplicates and refusals.
        List<EventResult> again =
                push(old, fresh, sameSeqAsFresh, seqOfOld, sameKeyFreeSeq).results();
        assertEquals(Verdict.DUPLICATE, again.get(1).verdict());
        assertEquals(Verdict.REJECTED, again.get(2).verdict());
        assertEquals(Verdict.CONFLICT, again.get(3).verdict()); // its key now belongs to the event with seq 122
        assertEquals(Verdict.DUPLICATE, again.get(4).verdict());
    }

    private static EventResult withoutIndex(EventResult r) {
        return new EventResult(
                null,
                r.idempotencyKey(),
                r.seq(),
                r.stopId(),
                r.verdict(),
                r.reason(),
                r.field(),
                r.flags(),
                r.receivedAt(),
                r.missingEvidence(),
                r.original(),
                r.resolution());
    }

    private static JsonNode results(HttpResponse<String> res) {
        assertEquals(200, res.statusCode(), res.body());
        return ProtocolJson.read(res.body(), JsonNode.class).get("results");
    }
}
