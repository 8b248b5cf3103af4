package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.UploadStatus;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClientException;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.storage.artifact.S3ProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on a real S3 server (S3Proxy): presigned reads, and the object store failing mid-upload. */
class S3EvidenceTest {
    @TempDir
    static Path dir;

    static S3ProxyServer s3;
    static Path s3Dir;
    /** Between the server and S3Proxy: cut to take the store away, restored to bring it back on the same port. */
    static TcpLink link;

    static TestServer server;
    static TestServer.Device device;

    @BeforeAll
    static void start() throws Exception {
        s3Dir = Files.createDirectories(dir.resolve("s3"));
        s3 = S3ProxyServer.start(s3Dir);
        link = new TcpLink(s3.endpoint().getPort());
        server = TestServer.start(dir.resolve("server"), TestServer.s3Store(link.uri()), Clock.systemUTC());
        server.erp().releaseRoute("RS3", Fixtures.route("RS3", "DS3", 2));
        device = server.device("DS3");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        link.close();
        s3.close();
    }

    @Test
    void anArtifactStoredInS3IsReadableThroughAPresignedLink() throws Exception {
        byte[] photo = EvidenceTest.jpeg(2_500_000, 31);
        assertTrue(device.client()
                .upload(photo, "image/jpeg", EvidenceKind.PHOTO, 1 << 20, 3)
                .isStored());
        String sha = EvidenceTest.sha(photo);
        assertArrayEquals(photo, server.erp().download(sha));
        JsonNode link = ProtocolJson.read(
                server.send(
                                "GET",
                                "/v1/artifacts/" + sha + "/link",
                                null,
                                null,
                                server.erp().authenticate().accessToken())
                        .body(),
                JsonNode.class);
        assertTrue(link.get("presigned").asBoolean());
        HttpResponse<byte[]> direct = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(link.get("url").asText()))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, direct.statusCode());
        assertArrayEquals(photo, direct.body());
    }

    @Test
    void theObjectStoreDownMidUploadLosesNothingAndTheEventCompletesOnceItIsBack() throws Exception {
        byte[] signature = EvidenceTest.png(300_000, 32);
        String sha = EvidenceTest.sha(signature);
        String key = UUID.randomUUID().toString();
        EventPayload payload =
                EventPayload.EMPTY.withEvidence(List.of(new EvidenceRef(sha, EvidenceKind.SIGNATURE, "image/png")));
        var delivered = Fixtures.event(
                key, 1, EventType.DELIVERED, "RS3-S1", Instant.now().minusSeconds(5), payload);
        EventResult pushed = device.client()
                .push(new PushRequest(Instant.now(), List.of(delivered)))
                .results()
                .get(0);
        assertEquals(Verdict.AWAITING_EVIDENCE, pushed.verdict());

        UploadStatus declared = declare(signature);
        UploadStatus afterFirst = device.client().sendChunk(declared.uploadId(), 0, signature, 100_000);
        assertEquals(100_000, afterFirst.offset());

        link.cut();
        try {
            PodsyncClientException down = assertThrows(
                    PodsyncClientException.class,
                    () -> device.client().sendChunk(declared.uploadId(), 100_000, signature, 100_000));
            assertEquals(503, down.status());
            assertEquals("object_store_unavailable", down.code());
            assertTrue(down.isRetryable());
            assertEquals(
                    100_000, device.client().uploadStatus(declared.uploadId()).offset(), "nothing half-counted");
            // Readiness reuses a check's result for up to a second.
            TestServer.await(
                    () -> server.send("GET", "/health/ready", null, null, null).statusCode() == 503,
                    "readiness to see the object store down");
            assertEquals("pending", server.erp().route("RS3").states().get(0).status());
        } finally {
            link.restore();
        }
        TestServer.await(
                () -> server.send("GET", "/health/ready", null, null, null).statusCode() == 200,
                "readiness to see the object store back");
        assertTrue(device.client()
                .upload(signature, "image/png", EvidenceKind.SIGNATURE, 100_000, 3)
                .isStored());
        assertEquals("delivered", server.erp().route("RS3").states().get(0).status());
        assertArrayEquals(signature, server.erp().download(sha));
    }

    /** An artifact read while the store is down: a framed 503 problem with no artifact headers, never a hang. */
    @Test
    void readingAnArtifactWhileTheObjectStoreIsDownIsACleanRetryableProblem() throws Exception {
        byte[] photo = EvidenceTest.jpeg(3_008, 33);
        assertTrue(device.client()
                .upload(photo, "image/jpeg", EvidenceKind.PHOTO, 1 << 20, 3)
                .isStored());
        String sha = EvidenceTest.sha(photo);
        String ops = server.ops().authenticate().accessToken();
        link.cut();
        try (RawHttp c = new RawHttp(server.server().port())) {
            c.send("GET /v1/artifacts/" + sha + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ops + "\r\n\r\n");
            RawHttp.Answer a = c.read(); // framed by its own Content-Length
            assertEquals(503, a.status(), a.text());
            assertEquals("application/problem+json", a.header("content-type").orElse(""));
            assertEquals("no-store", a.header("cache-control").orElse(""));
            assertTrue(a.header("retry-after").isPresent());
            assertTrue(a.header("etag").isEmpty(), "an artifact's header on a problem");
            assertEquals(
                    "object_store_unavailable",
                    ProtocolJson.read(a.text(), JsonNode.class).get("code").asText());
            c.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.read().status(), "the connection is still in step");
        } finally {
            link.restore();
        }
        assertArrayEquals(photo, server.ops().download(sha));
    }

    private static UploadStatus declare(byte[] data) {
        HttpResponse<String> r =
                server.postJson("/v1/uploads", """
                {"sha256":"%s","size":%d,"mediaType":"image/png","kind":"signature"}""".formatted(EvidenceTest.sha(data), data.length), device.token());
        assertEquals(201, r.statusCode(), r.body());
        return ProtocolJson.read(r.body(), UploadStatus.class);
    }
}
