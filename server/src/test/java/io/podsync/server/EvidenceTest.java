package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.Change;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.PullResponse;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.UploadRequest;
import io.podsync.protocol.UploadStatus;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClientException;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.ops.Housekeeping;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Resumable, verified uploads and the evidence gate, on the embedded (local disk) artifact store. */
class EvidenceTest {
    static final MutableClock CLOCK = new MutableClock();
    static TestServer server;
    static TestServer.Device device;

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        server = TestServer.start(
                dir,
                TestServer.with(
                        db, Map.of("podsync.uploads.max-bytes", "3000000", "podsync.uploads.max-open-per-device", "3")),
                CLOCK);
        server.erp().releaseRoute("RU", Fixtures.route("RU", "DU", 4));
        device = server.device("DU");
        return server;
    });

    static byte[] jpeg(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        b[2] = (byte) 0xFF;
        b[3] = (byte) 0xE0;
        return b;
    }

    static byte[] png(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
        System.arraycopy(sig, 0, b, 0, sig.length);
        return b;
    }

    static String sha(byte[] b) {
        return CanonicalJson.sha256Hex(b);
    }

    private static String declare(TestServer.Device d, byte[] data, String mediaType) {
        HttpResponse<String> r =
                server.postJson("/v1/uploads", """
                {"sha256":"%s","size":%d,"mediaType":"%s","kind":"photo"}""".formatted(sha(data), data.length, mediaType), d.token());
        assertEquals(201, r.statusCode(), r.body());
        return ProtocolJson.read(r.body(), JsonNode.class).get("uploadId").asText();
    }

    private static HttpResponse<String> patch(
            TestServer.Device d, String id, long offset, byte[] chunk, String checksum) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve("/v1/uploads/" + id))
                .header("Authorization", "Bearer " + d.token())
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Offset", String.valueOf(offset))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk));
        if (checksum != null) {
            b.header("Upload-Checksum", checksum);
        }
        try {
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> createWithUpload(TestServer.Device d, String metadata, long size, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve("/v1/uploads"))
                .header("Authorization", "Bearer " + d.token())
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Length", String.valueOf(size))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (metadata != null) {
            b.header("Upload-Metadata", metadata);
        }
        try {
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String metadata(String sha256, String mediaType, String kind) {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        return "sha256 " + b64.encodeToString(sha256.getBytes()) + ",mediaType "
                + b64.encodeToString(mediaType.getBytes()) + ",kind " + b64.encodeToString(kind.getBytes());
    }

    /** tus creation-with-upload: declaration and bytes in one request. */
    @Test
    void anArtifactDeclaredAndSentInOneRequestIsStored() {
        byte[] photo = jpeg(70_000, 11);
        HttpResponse<String> r =
                createWithUpload(device, metadata(sha(photo), "image/jpeg", "photo"), photo.length, photo);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(
                "stored",
                ProtocolJson.read(r.body(), JsonNode.class).get("status").asText());
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                photo, device.client().download(sha(photo)));

        // Stored already: the answer comes without the bytes being taken.
        r = createWithUpload(device, metadata(sha(photo), "image/jpeg", "photo"), photo.length, photo);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(
                "stored",
                ProtocolJson.read(r.body(), JsonNode.class).get("status").asText());

        // Only part of it in the request: the upload stays open at that offset, to continue with PATCH.
        byte[] big = jpeg(90_000, 12);
        r = createWithUpload(
                device, metadata(sha(big), "image/jpeg", "photo"), big.length, java.util.Arrays.copyOf(big, 30_000));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode open = ProtocolJson.read(r.body(), JsonNode.class);
        assertEquals(30_000, open.get("offset").asLong());
        String id = open.get("uploadId").asText();
        assertEquals(
                200,
                patch(device, id, 30_000, java.util.Arrays.copyOfRange(big, 30_000, 90_000), null)
                        .statusCode());
    }

    @Test
    void aOneRequestUploadWithTheWrongHashOrBadMetadataStoresNothing() {
        byte[] claimed = jpeg(50_000, 13);
        byte[] sent = claimed.clone();
        sent[sent.length - 1] ^= 1;
        HttpResponse<String> r =
                createWithUpload(device, metadata(sha(claimed), "image/jpeg", "photo"), claimed.length, sent);
        assertEquals(422, r.statusCode(), r.body());
        assertEquals(
                "hash_mismatch",
                ProtocolJson.read(r.body(), JsonNode.class).get("code").asText());
        assertEquals(404, artifactStatus(claimed));

        r = createWithUpload(device, "sha256 not-base64!", claimed.length, claimed);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(
                "Upload-Metadata",
                ProtocolJson.read(r.body(), JsonNode.class).get("field").asText());
        r = createWithUpload(device, null, claimed.length, claimed);
        assertEquals(400, r.statusCode(), r.body());
        r = createWithUpload(device, metadata(sha(claimed), "image/jpeg", "selfie"), claimed.length, claimed);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(
                "Upload-Metadata",
                ProtocolJson.read(r.body(), JsonNode.class).get("field").asText());
        r = createWithUpload(device, metadata(sha(claimed), "image/jpeg", "photo"), 1L << 40, claimed);
        assertEquals(413, r.statusCode(), r.body());
        assertEquals(404, artifactStatus(claimed));
    }

    /** What operations get when they read the artifact with these bytes' hash: 200 once stored, 404 before. */
    private static int artifactStatus(byte[] bytes) {
        return server.send("GET", "/v1/artifacts/" + sha(bytes), null, null, opsToken())
                .statusCode();
    }

    private static long headOffset(TestServer.Device d, String id) {
        HttpResponse<String> r = server.send("HEAD", "/v1/uploads/" + id, null, null, d.token());
        assertEquals(200, r.statusCode());
        return Long.parseLong(r.headers().firstValue("upload-offset").orElseThrow());
    }

    @Test
    void anUploadCutMidChunkResumesFromTheLastWholeChunk() throws Exception {
        byte[] data = jpeg(300_000, 1);
        String id = declare(device, data, "image/jpeg");
        assertEquals(
                200,
                patch(device, id, 0, java.util.Arrays.copyOf(data, 100_000), null)
                        .statusCode());

        // The next chunk is cut after 30,000 of its 100,000 bytes: the connection drops.
        HttpRequest cut = HttpRequest.newBuilder(server.uri().resolve("/v1/uploads/" + id))
                .header("Authorization", "Bearer " + device.token())
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Offset", "100000")
                .method("PATCH", new FailingPublisher(java.util.Arrays.copyOfRange(data, 100_000, 200_000), 30_000))
                .build();
        assertThrows(Exception.class, () -> HttpClient.newHttpClient().send(cut, HttpResponse.BodyHandlers.ofString()));
        Await.nothingFor(Duration.ofMillis(200), () -> headOffset(device, id) != 100_000, "a partial chunk counted");

        // The reference client picks up from the offset the server reports.
        UploadStatus done = device.client().upload(data, "image/jpeg", EvidenceKind.PHOTO, 64 * 1024, 5);
        assertTrue(done.isStored());
        assertArrayEquals(data, device.client().download(sha(data)));
        assertEquals(
                404, patch(device, "up-nope", 0, new byte[] {1}, null).statusCode(), "another device's or no upload");
    }

    @Test
    void aCorruptedChunkIsDiscardedAndTheRightOneAccepted() {
        byte[] data = png(50_000, 2);
        String id = declare(device, data, "image/png");
        byte[] first = java.util.Arrays.copyOf(data, 20_000);
        String good =
                "sha256 " + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha(first)));
        byte[] corrupted = first.clone();
        corrupted[12_345] ^= 0x55;
        HttpResponse<String> bad = patch(device, id, 0, corrupted, good);
        assertEquals(460, bad.statusCode(), bad.body());
        assertEquals(
                "checksum_mismatch",
                ProtocolJson.read(bad.body(), JsonNode.class).get("code").asText());
        assertEquals(0, headOffset(device, id));
        assertEquals(200, patch(device, id, 0, first, good).statusCode());
        HttpResponse<String> wrongOffset = patch(device, id, 0, first, null);
        assertEquals(409, wrongOffset.statusCode());
        assertEquals("20000", wrongOffset.headers().firstValue("upload-offset").orElse(""));
        assertEquals(
                200,
                patch(device, id, 20_000, java.util.Arrays.copyOfRange(data, 20_000, 50_000), null)
                        .statusCode());
        assertArrayEquals(data, device.client().download(sha(data)));
    }

    /** The one-chunk path writes straight to the content address: the store must refuse to complete it. */
    @Test
    void aWholeArtifactInOneChunkWithTheWrongHashCommitsNothing() {
        byte[] claimed = jpeg(60_000, 5);
        byte[] sent = claimed.clone();
        sent[sent.length - 1] ^= 1; // only the very last byte differs
        String id = declare(device, claimed, "image/jpeg");
        HttpResponse<String> r = patch(device, id, 0, sent, null);
        assertEquals(422, r.statusCode(), r.body());
        assertEquals(
                "hash_mismatch",
                ProtocolJson.read(r.body(), JsonNode.class).get("code").asText());
        assertEquals(404, artifactStatus(claimed));
        assertEquals(
                410,
                server.send("HEAD", "/v1/uploads/" + id, null, null, device.token())
                        .statusCode());

        String again = declare(device, claimed, "image/jpeg");
        assertEquals(200, patch(device, again, 0, claimed, null).statusCode());
        assertEquals(200, artifactStatus(claimed));
    }

    @Test
    void bytesThatDoNotHaveTheDeclaredHashCommitNothing() {
        byte[] claimed = jpeg(40_000, 3);
        byte[] sent = jpeg(40_000, 4);
        String id = declare(device, claimed, "image/jpeg");
        HttpResponse<String> r = patch(device, id, 0, java.util.Arrays.copyOf(sent, 25_000), null);
        assertEquals(200, r.statusCode());
        r = patch(device, id, 25_000, java.util.Arrays.copyOfRange(sent, 25_000, 40_000), null);
        assertEquals(422, r.statusCode(), r.body());
        assertEquals(
                "hash_mismatch",
                ProtocolJson.read(r.body(), JsonNode.class).get("code").asText());
        assertEquals(404, artifactStatus(claimed));
        assertEquals(404, artifactStatus(sent));
        assertEquals(
                410,
                server.send("HEAD", "/v1/uploads/" + id, null, null, device.token())
                        .statusCode());
    }

    @Test
    void limitsAreCheckedBeforeBytesAreRead() {
        HttpResponse<String> big = server.postJson("/v1/uploads", """
                {"sha256":"%s","size":3000001,"mediaType":"image/jpeg","kind":"photo"}""".formatted("c".repeat(64)), device.token());
        assertEquals(413, big.statusCode());
        assertEquals(
                "size",
                ProtocolJson.read(big.body(), JsonNode.class).get("field").asText());
        HttpResponse<String> html = server.postJson("/v1/uploads", """
                {"sha256":"%s","size":10,"mediaType":"text/html","kind":"photo"}""".formatted("c".repeat(64)), device.token());
        assertEquals(415, html.statusCode());
        assertEquals(
                "media_type_not_allowed",
                ProtocolJson.read(html.body(), JsonNode.class).get("code").asText());

        byte[] notAPng = jpeg(5_000, 5);
        String id = declare(device, notAPng, "image/png");
        HttpResponse<String> r = patch(device, id, 0, notAPng, null);
        assertEquals(415, r.statusCode(), r.body());
        assertEquals(
                "media_type_mismatch",
                ProtocolJson.read(r.body(), JsonNode.class).get("code").asText());
        assertEquals(
                403,
                server.postJson("/v1/uploads", "{}", server.erp().authenticate().accessToken())
                        .statusCode());
    }

    @Test
    void aDeviceMayHaveOnlySoManyUploadsOpen() {
        TestServer.Device busy = server.device("DU");
        for (int i = 0; i < 3; i++) {
            declare(busy, jpeg(1000, 100 + i), "image/jpeg");
        }
        HttpResponse<String> r = server.postJson("/v1/uploads", """
                {"sha256":"%s","size":1000,"mediaType":"image/jpeg","kind":"photo"}""".formatted(sha(jpeg(1000, 200))), busy.token());
        assertEquals(429, r.statusCode());
        assertEquals(
                "too_many_uploads",
                ProtocolJson.read(r.body(), JsonNode.class).get("code").asText());
    }

    @Test
    void theSameArtifactFromTwoDevicesAtOnceIsStoredOnceAndThenNeedsNoBytes() throws Exception {
        byte[] data = jpeg(400_000, 6);
        TestServer.Device other = server.device("DU");
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            Future<UploadStatus> a =
                    pool.submit(() -> device.client().upload(data, "image/jpeg", EvidenceKind.PHOTO, 50_000, 5));
            Future<UploadStatus> b =
                    pool.submit(() -> other.client().upload(data, "image/jpeg", EvidenceKind.PHOTO, 50_000, 5));
            assertTrue(a.get().isStored());
            assertTrue(b.get().isStored());
        }
        assertArrayEquals(data, other.client().download(sha(data)));
        HttpResponse<String> again = server.postJson(
                "/v1/uploads",
                """
                {"sha256":"%s","size":%d,"mediaType":"image/jpeg","kind":"photo"}""".formatted(sha(data), data.length),
                server.device("DU").token());
        assertEquals(200, again.statusCode());
        assertEquals(
                "stored",
                ProtocolJson.read(again.body(), JsonNode.class).get("status").asText());
    }

    @Test
    void aDeliveryCountsOnlyOnceItsEvidenceIsStored() {
        byte[] signature = png(8_000, 7);
        byte[] photo = jpeg(60_000, 8);
        String[] cursor = {device.client().pull(null, 1000).cursor()};
        drain(cursor);
        EventPayload payload = EventPayload.EMPTY
                .withLines(List.of(
                        new LineOutcome("RU-O1", "L1", new BigDecimal("4"), null, null, true),
                        new LineOutcome("RU-O1", "L2", new BigDecimal("2"), null, null, true)))
                .withEvidence(List.of(
                        new EvidenceRef(sha(signature), EvidenceKind.SIGNATURE, "image/png"),
                        new EvidenceRef(sha(photo), EvidenceKind.PHOTO, "image/jpeg")));
        String key = UUID.randomUUID().toString();
        var delivered = Fixtures.event(
                key, 900, EventType.DELIVERED, "RU-S1", Instant.now().minusSeconds(10), payload);
        EventResult r = device.client()
                .push(new PushRequest(Instant.now(), List.of(delivered)))
                .results()
                .get(0);
        assertEquals(Verdict.AWAITING_EVIDENCE, r.verdict());
        assertEquals(List.of(sha(signature), sha(photo)).stream().sorted().toList(), r.missingEvidence());
        assertEquals("pending", stateOf("RU-S1"));

        device.client().upload(signature, "image/png", EvidenceKind.SIGNATURE, 1 << 20, 3);
        EventResult replay = device.client()
                .push(new PushRequest(Instant.now(), List.of(delivered)))
                .results()
                .get(0);
        assertEquals(Verdict.DUPLICATE, replay.verdict());
        assertEquals(List.of(sha(photo)), replay.original().missingEvidence());
        assertEquals("pending", stateOf("RU-S1"));

        device.client().upload(photo, "image/jpeg", EvidenceKind.PHOTO, 1 << 20, 3);
        assertEquals("delivered", stateOf("RU-S1"));
        List<Change> changes = drain(cursor);
        Change verdict = changes.stream()
                .filter(c -> c.kind().equals(Change.VERDICT) && c.id().equals(key))
                .reduce((x, y) -> y)
                .orElseThrow();
        assertEquals("applied", verdict.data().get("verdict").asText());
        assertNull(verdict.data().get("missingEvidence"));
        assertTrue(changes.stream().anyMatch(c -> c.kind().equals(Change.STOP_STATE) && c.id().equals("RU-S1")));

        // The ERP reads the evidence; another driver does not.
        assertArrayEquals(photo, server.erp().download(sha(photo)));
        TestServer.Device stranger = server.device("D-someone-else");
        PodsyncClientException e = assertThrows(
                PodsyncClientException.class, () -> stranger.client().download(sha(photo)));
        assertEquals(403, e.status());
        // Knowing the hash is no proof of holding the bytes: declaring it (the server answers "stored") gives no right
        // to read it, and declaring it again makes no second upload row.
        UploadStatus known = stranger.client()
                .declareUpload(new UploadRequest(sha(photo), (long) photo.length, "image/jpeg", EvidenceKind.PHOTO));
        assertTrue(known.isStored());
        assertEquals(
                known.uploadId(),
                stranger.client()
                        .declareUpload(
                                new UploadRequest(sha(photo), (long) photo.length, "image/jpeg", EvidenceKind.PHOTO))
                        .uploadId());
        PodsyncClientException declared = assertThrows(
                PodsyncClientException.class, () -> stranger.client().download(sha(photo)));
        assertEquals(403, declared.status());
        JsonNode link = ProtocolJson.read(
                server.send("GET", "/v1/artifacts/" + sha(photo) + "/link", null, null, opsToken())
                        .body(),
                JsonNode.class);
        assertEquals(sha(photo), link.get("sha256").asText());
        assertFalse(link.get("presigned").asBoolean(), "the local store has no presigned URLs");
    }

    @Test
    void evidenceThatNeverArrivesRaisesAnExceptionWhichClosesItselfWhenItDoesArrive() {
        byte[] late = png(9_000, 77);
        String missing = sha(late);
        String key = UUID.randomUUID().toString();
        EventPayload payload = EventPayload.EMPTY
                .withEvidence(List.of(new EvidenceRef(missing, EvidenceKind.SIGNATURE, "image/png")))
                .withReasonCode("NO_ONE_HOME");
        device.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                key,
                                901,
                                EventType.FAILED,
                                "RU-S2",
                                Instant.now().minusSeconds(5),
                                payload))));
        Housekeeping chores =
                new Housekeeping(server.server().database(), CLOCK, null, statesOf(), Duration.ofHours(2));
        assertEquals(0, chores.flagMissingEvidence());
        CLOCK.advance(Duration.ofHours(3));
        try {
            assertTrue(chores.flagMissingEvidence() >= 1);
            chores.flagMissingEvidence(); // a second pass finds the same event and opens nothing new
            device.client().authenticate();
            var x = server.ops().exceptions("open", 1000).items().stream()
                    .filter(v -> key.equals(v.idempotencyKey()) && v.kind().equals("evidence_missing"))
                    .toList();
            assertEquals(1, x.size());
            assertTrue(x.get(0).codes().contains(missing));
        } finally {
            CLOCK.advance(Duration.ofHours(-3));
            device.client().authenticate();
        }
        device.client().upload(late, "image/png", EvidenceKind.SIGNATURE, 1 << 20, 3);
        assertTrue(
                server.ops().exceptions("open", 1000).items().stream().noneMatch(v -> key.equals(v.idempotencyKey())),
                "the evidence arrived: nothing is missing any more");
        assertEquals("failed", stateOf("RU-S2"));
    }

    private static io.podsync.server.sync.StopStates statesOf() {
        return new io.podsync.server.sync.StopStates(new io.podsync.server.exceptions.ExceptionQueue(kind -> {}));
    }

    private static String stateOf(String stopId) {
        return server.stopState("RU", stopId).status();
    }

    private static List<Change> drain(String[] cursor) {
        List<Change> all = new ArrayList<>();
        PullResponse p;
        do {
            p = device.client().pull(cursor[0], 1000);
            all.addAll(p.changes());
            cursor[0] = p.cursor();
        } while (p.hasMore());
        return all;
    }

    private static String opsToken() {
        return server.ops().authenticate().accessToken();
    }

    /** A request body that breaks off after {@code failAfter} bytes, like a phone losing its network mid-upload. */
    static final class FailingPublisher implements HttpRequest.BodyPublisher {
        private final byte[] data;
        private final int failAfter;

        FailingPublisher(byte[] data, int failAfter) {
            this.data = data;
            this.failAfter = failAfter;
        }

        @Override
        public long contentLength() {
            return data.length;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                boolean done;

                @Override
                public void request(long n) {
                    if (done) {
                        return;
                    }
                    done = true;
                    subscriber.onNext(ByteBuffer.wrap(data, 0, failAfter));
                    subscriber.onError(new java.io.IOException("network lost"));
                }

                @Override
                public void cancel() {
                    done = true;
                }
            });
        }
    }
}
