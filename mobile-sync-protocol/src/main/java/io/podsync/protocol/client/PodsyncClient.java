package io.podsync.protocol.client;

import com.fasterxml.jackson.databind.JavaType;
import io.podsync.protocol.DeviceCredentials;
import io.podsync.protocol.DeviceEnrollRequest;
import io.podsync.protocol.EnrollmentCode;
import io.podsync.protocol.EnrollmentRequest;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.ExceptionPage;
import io.podsync.protocol.ExceptionResolution;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.Problem;
import io.podsync.protocol.ProtocolVersion;
import io.podsync.protocol.PullResponse;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.ReassignRequest;
import io.podsync.protocol.RouteDetail;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.RouteReleaseResult;
import io.podsync.protocol.TokenRequest;
import io.podsync.protocol.TokenResponse;
import io.podsync.protocol.UploadRequest;
import io.podsync.protocol.UploadStatus;
import io.podsync.protocol.json.ProtocolJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * A client of one podsync server, for one identity: a device (after {@link #enroll} or {@link #useDevice}) or an
 * ERP/ops client (after {@link #useClient}). Access tokens are fetched and renewed on its own.
 *
 * <p>Thread-safe. It never retries a push by itself: the caller owns its outbox and resends with the same
 * idempotency keys, which is always safe.
 */
public final class PodsyncClient {
    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private volatile TokenRequest credentials;
    private volatile String accessToken;

    public PodsyncClient(URI base) {
        this(
                base,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                Duration.ofSeconds(30));
    }

    public PodsyncClient(URI base, HttpClient http, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.http = http;
        this.timeout = timeout;
    }

    /** Act as an ERP or ops client. */
    public PodsyncClient useClient(String clientId, String clientSecret) {
        this.credentials = new TokenRequest(TokenRequest.CLIENT_CREDENTIALS, clientId, clientSecret);
        this.accessToken = null;
        return this;
    }

    /** Act as an enrolled device (after a restart: the device id and secret come from its secure storage). */
    public PodsyncClient useDevice(String deviceId, String deviceSecret) {
        this.credentials = new TokenRequest(TokenRequest.DEVICE_CREDENTIALS, deviceId, deviceSecret);
        this.accessToken = null;
        return this;
    }

    /** Redeems an enrollment code; afterwards this client acts as the new device. */
    public DeviceCredentials enroll(String code, String deviceName, String platform, String appVersion) {
        DeviceCredentials c = call(
                "POST",
                "/v1/auth/enroll",
                new DeviceEnrollRequest(code, deviceName, platform, appVersion),
                DeviceCredentials.class,
                false);
        useDevice(c.deviceId(), c.deviceSecret());
        this.accessToken = c.token().accessToken();
        return c;
    }

    /** Fetches a fresh access token for the current credentials. */
    public TokenResponse authenticate() {
        if (credentials == null) {
            throw new IllegalStateException("call useClient, useDevice or enroll first");
        }
        TokenResponse t = call("POST", "/v1/auth/token", credentials, TokenResponse.class, false);
        this.accessToken = t.accessToken();
        return t;
    }

    // --- device ---

    public PushResponse push(PushRequest request) {
        return call("POST", "/v1/sync/push", request, PushResponse.class, true);
    }

    /**
     * Sends a push body that is already JSON (an app that keeps its outbox serialized, a load generator that builds
     * its requests before the clock starts) and returns the answer's bytes unparsed. Errors as for {@link #push}.
     */
    public byte[] pushJson(byte[] pushRequest) {
        return execute("POST", "/v1/sync/push", pushRequest, "application/json", Map.of(), true)
                .body();
    }

    /** One page of changes; pass null to pull from scratch. */
    public PullResponse pull(String cursor, int limit) {
        StringBuilder path = new StringBuilder("/v1/sync/pull?limit=").append(limit);
        if (cursor != null) {
            path.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        }
        return call("GET", path.toString(), null, PullResponse.class, true);
    }

    // --- evidence ---

    /**
     * Uploads an artifact resumably: declares it (no bytes travel if the server has it), sends chunks of
     * {@code chunkSize} with a checksum each, and after a cut or a server error asks for the offset and continues,
     * up to {@code maxRetries} times in a row. Returns when the server has the artifact stored and verified.
     */
    public UploadStatus upload(byte[] data, String mediaType, EvidenceKind kind, int chunkSize, int maxRetries) {
        String sha = hex(sha256(data, 0, data.length));
        UploadRequest declaration = new UploadRequest(sha, (long) data.length, mediaType, kind);
        UploadStatus s = null;
        if (data.length <= chunkSize) {
            try {
                s = declareWithBytes(declaration, data);
            } catch (PodsyncClientException e) {
                if (!e.isRetryable() && e.status() != 460) {
                    throw e;
                }
                // fall through: declare, then send the chunk with retries as for any upload
            }
        }
        if (s == null) {
            s = declareUpload(declaration);
        }
        int failures = 0;
        while (!s.isStored()) {
            try {
                s = sendChunk(s.uploadId(), s.offset(), data, chunkSize);
                failures = 0;
            } catch (PodsyncClientException e) {
                boolean resumable = e.isRetryable() || e.status() == 409 || e.status() == 460;
                if (!resumable || ++failures > maxRetries) {
                    throw e;
                }
                pause(failures);
                s = uploadStatus(s.uploadId());
            }
        }
        return s;
    }

    /** Declares an artifact: {@code stored} (send nothing) or an open upload with the offset to send from. */
    public UploadStatus declareUpload(UploadRequest request) {
        return call("POST", "/v1/uploads", request, UploadStatus.class, true);
    }

    /**
     * Declares an artifact and sends its bytes in the same request (tus "creation with upload"): one round trip for
     * an artifact that fits in one chunk. The answer is {@code stored}, or an open upload to continue with
     * {@link #sendChunk} (for instance when this device had already sent part of it).
     */
    public UploadStatus declareWithBytes(UploadRequest request, byte[] data) {
        Base64.Encoder b64 = Base64.getEncoder();
        String metadata = "sha256 " + b64.encodeToString(request.sha256().getBytes(StandardCharsets.UTF_8))
                + ",mediaType " + b64.encodeToString(request.mediaType().getBytes(StandardCharsets.UTF_8))
                + ",kind " + b64.encodeToString(request.kind().wire().getBytes(StandardCharsets.UTF_8));
        return raw(
                "POST",
                "/v1/uploads",
                data,
                "application/offset+octet-stream",
                Map.of("Upload-Length", String.valueOf(request.size()), "Upload-Metadata", metadata),
                UploadStatus.class);
    }

    /** Sends one chunk at {@code offset} (at most {@code chunkSize} bytes of {@code data}). */
    public UploadStatus sendChunk(String uploadId, long offset, byte[] data, int chunkSize) {
        int from = (int) offset;
        int to = Math.min(data.length, from + chunkSize);
        String checksum = "sha256 " + java.util.Base64.getEncoder().encodeToString(sha256(data, from, to - from));
        byte[] chunk = java.util.Arrays.copyOfRange(data, from, to);
        return raw(
                "PATCH",
                "/v1/uploads/" + enc(uploadId),
                chunk,
                "application/offset+octet-stream",
                Map.of("Upload-Offset", String.valueOf(offset), "Upload-Checksum", checksum),
                UploadStatus.class);
    }

    /** Where an upload stands (the offset to continue from). */
    public UploadStatus uploadStatus(String uploadId) {
        return call("GET", "/v1/uploads/" + enc(uploadId), null, UploadStatus.class, true);
    }

    /** The bytes of a stored artifact. */
    public byte[] download(String sha256) {
        return execute("GET", "/v1/artifacts/" + sha256, null, null, Map.of(), true)
                .body();
    }

    private static void pause(int failures) {
        try {
            Thread.sleep(Math.min(2_000, 50L << Math.min(6, failures)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PodsyncClientException(0, null, "interrupted", e);
        }
    }

    static byte[] sha256(byte[] data, int from, int length) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(data, from, length);
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    // --- ERP / ops ---

    public RouteReleaseResult releaseRoute(String routeId, RouteRelease release) {
        return call("PUT", "/v1/routes/" + enc(routeId), release, RouteReleaseResult.class, true);
    }

    public RouteDetail route(String routeId) {
        return call("GET", "/v1/routes/" + enc(routeId), null, RouteDetail.class, true);
    }

    public RouteReleaseResult cancelRoute(String routeId) {
        return call("POST", "/v1/routes/" + enc(routeId) + "/cancel", null, RouteReleaseResult.class, true);
    }

    public RouteReleaseResult reassignRoute(String routeId, String driverId, String vehicleId) {
        return call(
                "POST",
                "/v1/routes/" + enc(routeId) + "/reassign",
                new ReassignRequest(driverId, vehicleId),
                RouteReleaseResult.class,
                true);
    }

    public EnrollmentCode createEnrollment(String driverId) {
        return call("POST", "/v1/devices/enrollments", new EnrollmentRequest(driverId), EnrollmentCode.class, true);
    }

    public ExceptionPage exceptions(String status, int limit) {
        String q = "/v1/ops/exceptions?limit=" + limit + (status == null ? "" : "&status=" + enc(status));
        return call("GET", q, null, ExceptionPage.class, true);
    }

    /** One exception with its findings (and, for a manifest question, the stop versions side by side). */
    public ExceptionView exception(long id) {
        return call("GET", "/v1/ops/exceptions/" + id, null, ExceptionView.class, true);
    }

    public ExceptionView resolveException(long id, String resolution, String note) {
        return resolveException(id, new ExceptionResolution(resolution, note));
    }

    public ExceptionView resolveException(long id, ExceptionResolution resolution) {
        return call("POST", "/v1/ops/exceptions/" + id + "/resolve", resolution, ExceptionView.class, true);
    }

    // --- plumbing ---

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private <T> T call(String method, String path, Object body, Class<T> type, boolean authenticated) {
        byte[] bytes = body != null
                ? ProtocolJson.toBytes(body)
                : method.equals("POST") || method.equals("PUT") ? "{}".getBytes(StandardCharsets.UTF_8) : null;
        HttpResponse<byte[]> res = execute(method, path, bytes, "application/json", Map.of(), authenticated);
        return read(res, ProtocolJson.mapper().constructType(type), method, path);
    }

    private <T> T raw(
            String method, String path, byte[] body, String contentType, Map<String, String> headers, Class<T> type) {
        HttpResponse<byte[]> res = execute(method, path, body, contentType, headers, true);
        return read(res, ProtocolJson.mapper().constructType(type), method, path);
    }

    /**
     * Sends a request; on 401 with known credentials fetches one fresh token and tries once more (the token expired
     * or its key was rotated away); turns any 4xx/5xx into a {@link PodsyncClientException}.
     */
    private HttpResponse<byte[]> execute(
            String method,
            String path,
            byte[] body,
            String contentType,
            Map<String, String> headers,
            boolean authenticated) {
        if (authenticated && accessToken == null) {
            authenticate();
        }
        HttpResponse<byte[]> res = send(method, path, body, contentType, headers, authenticated);
        if (authenticated && res.statusCode() == 401 && credentials != null) {
            authenticate();
            res = send(method, path, body, contentType, headers, true);
        }
        if (res.statusCode() >= 400) {
            throw failure(method, path, res);
        }
        return res;
    }

    private static <T> T read(HttpResponse<byte[]> res, JavaType type, String method, String path) {
        try {
            return ProtocolJson.mapper().readValue(res.body(), type);
        } catch (IOException e) {
            throw new PodsyncClientException(res.statusCode(), null, "unreadable answer to " + method + " " + path, e);
        }
    }

    private static PodsyncClientException failure(String method, String path, HttpResponse<byte[]> res) {
        Problem p = null;
        try {
            p = ProtocolJson.mapper().readValue(res.body(), Problem.class);
        } catch (IOException | RuntimeException ignored) {
            // not a problem document (a proxy, perhaps): status alone
        }
        return new PodsyncClientException(
                res.statusCode(),
                p,
                method + " " + path + " -> " + res.statusCode() + (p == null ? "" : " " + p.code() + ": " + p.detail()),
                null);
    }

    private HttpResponse<byte[]> send(
            String method,
            String path,
            byte[] body,
            String contentType,
            Map<String, String> headers,
            boolean authenticated) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header(ProtocolVersion.HEADER, ProtocolVersion.CURRENT)
                .header("X-Correlation-Id", UUID.randomUUID().toString());
        if (authenticated && accessToken != null) {
            b.header("Authorization", "Bearer " + accessToken);
        }
        headers.forEach(b::header);
        if (body != null) {
            b.header("Content-Type", contentType);
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new PodsyncClientException(0, null, method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PodsyncClientException(0, null, method + " " + path + " interrupted", e);
        }
    }
}
