package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.EventResult;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClientException;
import io.tus.java.client.ProtocolException;
import io.tus.java.client.TusClient;
import io.tus.java.client.TusURLMemoryStore;
import io.tus.java.client.TusURLStore;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unmodified tus client (tus-java-client, the library tus-android-client builds on) uploads evidence: creation,
 * PATCH through {@code X-HTTP-Method-Override} with chunked bodies (as {@code HttpURLConnection} sends them), a cut
 * and a resume, a wrong checksum, a wrong hash, an oversize upload, an artifact the server has, termination.
 */
class TusClientTest {
    private static final int MAX_BYTES = 3_000_000;

    @TempDir
    static Path dir;

    static TestServer server;
    static TestServer.Device device;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("podsync.uploads.max-bytes", String.valueOf(MAX_BYTES)));
        server.erp().releaseRoute("RT", Fixtures.route("RT", "DT", 3));
        device = server.device("DT");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A tus client for the device, as an app would configure it: the endpoint and the bearer token. */
    private static TusClient client(TestServer.Device d, Map<String, String> extraHeaders) throws IOException {
        TusClient c = new TusClient();
        c.setUploadCreationURL(server.uri().resolve("/v1/uploads").toURL());
        Map<String, String> headers = new HashMap<>(extraHeaders);
        headers.put("Authorization", "Bearer " + d.token());
        c.setHeaders(headers);
        return c;
    }

    /** The upload with the metadata podsync needs: the artifact's SHA-256 (hex), its media type and its kind. */
    private static TusUpload upload(byte[] data, String sha256, InputStream in) {
        TusUpload u = new TusUpload();
        u.setSize(data.length);
        u.setInputStream(in);
        u.setFingerprint(sha256);
        u.setMetadata(Map.of("sha256", sha256, "filetype", "image/jpeg", "kind", "photo", "filename", "pod.jpg"));
        return u;
    }

    private static URL send(TusClient c, TusUpload u, int payloadSize) throws Exception {
        TusUploader uploader = c.resumeOrCreateUpload(u);
        uploader.setRequestPayloadSize(payloadSize);
        while (uploader.uploadChunk() > -1) {
            // the uploader sends the next request's worth
        }
        uploader.finish();
        assertEquals(u.getSize(), uploader.getOffset());
        return uploader.getUploadURL();
    }

    private static int status(ProtocolException e) throws IOException {
        return e.getCausingConnection().getResponseCode();
    }

    private static HttpResponse<String> head(URL upload) {
        return server.send("HEAD", upload.getPath(), null, null, device.token());
    }

    @Test
    void discoveryAnswersWithoutATokenAndAnotherTusVersionIsRefused() {
        HttpResponse<String> r = server.send("OPTIONS", "/v1/uploads", null, null, null);
        assertEquals(204, r.statusCode());
        assertEquals("1.0.0", r.headers().firstValue("Tus-Version").orElseThrow());
        assertEquals(
                "creation,creation-with-upload,expiration,checksum,termination",
                r.headers().firstValue("Tus-Extension").orElseThrow());
        assertEquals(
                String.valueOf(MAX_BYTES),
                r.headers().firstValue("Tus-Max-Size").orElseThrow());
        assertEquals("sha256", r.headers().firstValue("Tus-Checksum-Algorithm").orElseThrow());

        HttpResponse<String> v = rawCreate(Map.of("Tus-Resumable", "0.2.0"), 1000, EvidenceTest.sha(new byte[] {1}));
        assertEquals(412, v.statusCode());
        assertEquals("1.0.0", v.headers().firstValue("Tus-Version").orElseThrow());
    }

    @Test
    void aStockClientUploadsTheEvidenceAndTheWaitingDeliveryCounts() throws Exception {
        byte[] photo = EvidenceTest.jpeg(1_200_000, 31);
        String sha = EvidenceTest.sha(photo);
        EventResult r = device.client()
                .push(new PushRequest(Instant.now(), List.of(Fixtures.deliveryWithPhoto("RT", 1, sha))))
                .results()
                .get(0);
        assertEquals(Verdict.AWAITING_EVIDENCE, r.verdict());

        URL url = send(client(device, Map.of()), upload(photo, sha, new ByteArrayInputStream(photo)), 512 * 1024);

        assertTrue(url.getPath().startsWith("/v1/uploads/up-"), url.toString());
        assertArrayEquals(photo, server.erp().download(sha));
        assertEquals("delivered", server.stopState("RT", "RT-S1").status());
        HttpResponse<String> h = head(url);
        assertEquals(200, h.statusCode());
        assertEquals(
                String.valueOf(photo.length),
                h.headers().firstValue("Upload-Offset").orElseThrow());
        assertEquals("1.0.0", h.headers().firstValue("Tus-Resumable").orElseThrow());
        assertEquals("", h.body());
    }

    @Test
    void aCutUploadResumesFromTheLastWholeChunk() throws Exception {
        byte[] photo = EvidenceTest.jpeg(1_000_000, 32);
        String sha = EvidenceTest.sha(photo);
        TusURLStore urls = new TusURLMemoryStore();
        TusClient first = client(device, Map.of());
        first.enableResuming(urls);
        // The phone loses its network 300,000 bytes in: the second request's body breaks off half-way.
        TusUploader cut = first.resumeOrCreateUpload(upload(photo, sha, new CutStream(photo, 300_000)));
        cut.setRequestPayloadSize(200_000);
        assertThrows(IOException.class, () -> {
            while (cut.uploadChunk() > -1) {
                // until the network goes
            }
        });
        assertEquals(
                "200000",
                head(cut.getUploadURL()).headers().firstValue("Upload-Offset").orElseThrow());

        TusClient again = client(device, Map.of());
        again.enableResuming(urls);
        URL url = send(again, upload(photo, sha, new ByteArrayInputStream(photo)), 200_000);

        assertEquals(cut.getUploadURL(), url, "resumed, not created anew");
        assertArrayEquals(photo, server.erp().download(sha));
    }

    @Test
    void aChunkWithAWrongChecksumIsDiscarded() throws Exception {
        byte[] photo = EvidenceTest.jpeg(50_000, 33);
        String sha = EvidenceTest.sha(photo);
        String wrong = "sha256 " + Base64.getEncoder().encodeToString(new byte[32]);
        TusUploader u = client(device, Map.of("Upload-Checksum", wrong))
                .createUpload(upload(photo, sha, new ByteArrayInputStream(photo)));
        ProtocolException e = assertThrows(ProtocolException.class, () -> {
            u.uploadChunk();
            u.finish();
        });
        assertEquals(460, status(e));
        assertEquals(
                "0",
                head(u.getUploadURL()).headers().firstValue("Upload-Offset").orElseThrow());
        assertEquals(404, fetch(sha));
    }

    @Test
    void bytesWithAnotherHashThanDeclaredStoreNothing() throws Exception {
        byte[] photo = EvidenceTest.jpeg(80_000, 34);
        String claimed = EvidenceTest.sha(EvidenceTest.jpeg(80_000, 35));
        TusUploader u = client(device, Map.of()).createUpload(upload(photo, claimed, new ByteArrayInputStream(photo)));
        ProtocolException e = assertThrows(ProtocolException.class, () -> {
            u.uploadChunk();
            u.finish();
        });
        assertEquals(422, status(e));
        assertEquals(404, fetch(claimed));
        assertEquals(404, fetch(EvidenceTest.sha(photo)));
        assertEquals(410, head(u.getUploadURL()).statusCode());
    }

    @Test
    void anUploadOverTheMaximumIsRefusedAtCreation() throws Exception {
        byte[] big = EvidenceTest.jpeg(MAX_BYTES + 1, 36);
        ProtocolException e = assertThrows(
                ProtocolException.class,
                () -> client(device, Map.of())
                        .createUpload(upload(big, EvidenceTest.sha(big), new ByteArrayInputStream(big))));
        assertEquals(413, status(e));
    }

    @Test
    void anArtifactTheServerHasIsAnsweredAsCompleteAndStoredOnce() throws Exception {
        byte[] photo = EvidenceTest.jpeg(700_000, 37);
        String sha = EvidenceTest.sha(photo);
        send(client(device, Map.of()), upload(photo, sha, new ByteArrayInputStream(photo)), 1 << 20);

        TestServer.Device other = server.device("DT2");
        HttpResponse<String> created = rawCreate(other, Map.of("Tus-Resumable", "1.0.0"), photo.length, sha);
        assertEquals(201, created.statusCode());
        assertEquals(
                String.valueOf(photo.length),
                created.headers().firstValue("Upload-Offset").orElseThrow());
        // A stock client sends the bytes anyway, in chunks; each is read off unused and the client finishes.
        send(client(other, Map.of()), upload(photo, sha, new ByteArrayInputStream(photo)), 256 * 1024);
        assertArrayEquals(photo, server.erp().download(sha));
    }

    @Test
    void terminationDeletesAnOpenUploadAndFreesItsPlace() throws Exception {
        byte[] photo = EvidenceTest.jpeg(40_000, 38);
        HttpResponse<String> created =
                rawCreate(Map.of("Tus-Resumable", "1.0.0"), photo.length, EvidenceTest.sha(photo));
        assertEquals(201, created.statusCode());
        String location = created.headers().firstValue("Location").orElseThrow();
        assertTrue(created.headers().firstValue("Upload-Expires").orElseThrow().endsWith(" GMT"));

        HttpResponse<String> deleted = server.send("DELETE", location, null, null, device.token());
        assertEquals(204, deleted.statusCode());
        assertEquals(
                404, server.send("HEAD", location, null, null, device.token()).statusCode());
        assertFalse(
                server.send("GET", location, null, null, device.token()).body().contains("\"open\""));
    }

    /**
     * A chunk without Content-Length is spooled under the data directory; when the disk refuses it the answer is 503
     * (send again later), not a 500 or a 400 that blames the client, and the upload resumes once the disk is back. A
     * server of its own: another test's cut upload may still hold a spooled chunk here until its read times out.
     */
    @Test
    void aChunkTheDiskCannotSpoolIs503AndTheUploadResumesAfterwards(@TempDir Path own) throws Exception {
        try (TestServer s = TestServer.start(own)) {
            s.erp().releaseRoute("RS", Fixtures.route("RS", "DS", 1));
            TestServer.Device d = s.device("DS");
            byte[] photo = EvidenceTest.jpeg(20_000, 47);
            String sha = EvidenceTest.sha(photo);
            HttpResponse<String> created = rawCreate(s, d, Map.of("Tus-Resumable", "1.0.0"), photo.length, sha);
            assertEquals(201, created.statusCode(), created.body());
            java.net.URI upload =
                    s.uri().resolve(created.headers().firstValue("Location").orElseThrow());
            Path spool = own.resolve("spool");
            Files.writeString(spool, "a file where the spool directory belongs: the disk refuses the chunk");
            try {
                HttpResponse<String> refused = chunkedPatch(upload, d, photo);
                assertEquals(503, refused.statusCode(), refused.body());
                assertTrue(refused.body().contains("\"code\":\"upload_spool_failed\""), refused.body());
                assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            } finally {
                Files.delete(spool);
            }
            HttpResponse<String> offset = s.send("HEAD", upload.getPath(), null, null, d.token());
            assertEquals("0", offset.headers().firstValue("Upload-Offset").orElseThrow());
            HttpResponse<String> sent = chunkedPatch(upload, d, photo);
            assertEquals(204, sent.statusCode(), sent.body());
            assertArrayEquals(photo, s.erp().download(sha));
        }
    }

    /** A PATCH of the whole artifact from offset 0 with a body of unknown length (sent chunked). */
    private static HttpResponse<String> chunkedPatch(java.net.URI upload, TestServer.Device d, byte[] data)
            throws Exception {
        java.net.http.HttpRequest r = java.net.http.HttpRequest.newBuilder(upload)
                .header("Authorization", "Bearer " + d.token())
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0")
                .header("Content-Type", "application/offset+octet-stream")
                .method(
                        "PATCH",
                        java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data)))
                .build();
        return java.net.http.HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> rawCreate(Map<String, String> headers, long length, String sha) {
        return rawCreate(device, headers, length, sha);
    }

    /** A tus creation request with no body, as tus-js-client sends it by default. */
    private static HttpResponse<String> rawCreate(
            TestServer.Device d, Map<String, String> headers, long length, String sha) {
        return rawCreate(server, d, headers, length, sha);
    }

    private static HttpResponse<String> rawCreate(
            TestServer s, TestServer.Device d, Map<String, String> headers, long length, String sha) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                        s.uri().resolve("/v1/uploads"))
                .header("Authorization", "Bearer " + d.token())
                .header("Upload-Length", String.valueOf(length))
                .header(
                        "Upload-Metadata",
                        "sha256 " + b64(sha) + ",mediaType " + b64("image/jpeg") + ",kind " + b64("photo"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        try {
            return java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The status of an artifact read by the ERP. */
    private static int fetch(String sha) {
        try {
            server.erp().download(sha);
            return 200;
        } catch (PodsyncClientException e) {
            return e.status();
        }
    }

    /** The bytes of an artifact up to a point, where the network goes. */
    private static final class CutStream extends InputStream {
        private final byte[] data;
        private final int cutAt;
        private int pos;

        CutStream(byte[] data, int cutAt) {
            this.data = data;
            this.cutAt = cutAt;
        }

        @Override
        public int read() throws IOException {
            if (pos >= cutAt) {
                throw new IOException("network lost");
            }
            return data[pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos >= cutAt) {
                throw new IOException("network lost");
            }
            int n = Math.min(len, cutAt - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
