package io.podsync.server.evidence;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.ArtifactLink;
import io.podsync.protocol.UploadRequest;
import io.podsync.protocol.UploadStatus;
import io.podsync.protocol.validation.Identifiers;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.http.HttpHygiene;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.storage.ArtifactRow;
import io.podsync.storage.Database;
import io.podsync.storage.artifact.ArtifactStore;
import io.podsync.storage.artifact.ArtifactStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Uploads ({@code /v1/uploads}: declare, HEAD for the offset, PATCH chunks) for devices, and artifact reads
 * ({@code /v1/artifacts/{sha256}}) for ops, the ERP and the driver whose events reference the artifact.
 */
public final class EvidenceService implements HttpService {
    private static final String OFFSET = "Upload-Offset";
    private static final String CHUNK_TYPE = "application/offset+octet-stream";
    private static final HeaderName CHECKSUM = HeaderNames.create("Upload-Checksum");
    private static final Duration LINK_TTL = Duration.ofMinutes(5);
    /** Read before any header is sent, so that a store that fails at once gets a clean problem answer. */
    private static final int FIRST_READ = 64 * 1024;

    private final UploadProcessor uploads;
    private final ArtifactStore store;
    private final Database db;
    private final Clock clock;

    public EvidenceService(UploadProcessor uploads, ArtifactStore store, Database db, Clock clock) {
        this.uploads = uploads;
        this.store = store;
        this.db = db;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/uploads", this::declare)
                .get("/v1/uploads/{id}", this::get)
                .patch("/v1/uploads/{id}", this::patch)
                .get("/v1/artifacts/{sha256}", this::download)
                .get("/v1/artifacts/{sha256}/link", this::link);
    }

    private void declare(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (contentType.startsWith(CHUNK_TYPE)) {
            declareWithBytes(p, req, res);
            return;
        }
        sendDeclared(res, uploads.declare(p, JsonBodies.read(req, UploadRequest.class, 16 * 1024)));
    }

    /**
     * tus "creation with upload": the declaration in {@code Upload-Length} and {@code Upload-Metadata}, the first
     * chunk (for a signature or a photo, usually the whole artifact) in the same request, one round trip instead of
     * two. The body is taken only by a new upload at offset 0; otherwise the answer says where to continue.
     */
    private void declareWithBytes(Principal p, ServerRequest req, ServerResponse res) {
        UploadRequest r = UploadMetadata.parse(
                req.headers().first(HeaderNames.create("Upload-Metadata")).orElse(null),
                req.headers().first(HeaderNames.create("Upload-Length")).orElse(null));
        UploadStatus s = uploads.declare(p, r);
        if (s.isStored() || s.offset() != 0 || req.headers().contentLength().orElse(-1L) == 0) {
            sendDeclared(res, s);
            return;
        }
        sendDeclared(res, chunk(p, s.uploadId(), 0L, req));
    }

    /** 200 for an artifact stored or an upload under way, 201 for an upload still at offset 0. */
    private static void sendDeclared(ServerResponse res, UploadStatus s) {
        send(res, s.isStored() || s.offset() > 0 ? Status.OK_200 : Status.CREATED_201, s);
    }

    /** The request's body as the chunk at {@code offset}. */
    private UploadStatus chunk(Principal p, String uploadId, Long offset, ServerRequest req) {
        long length = req.headers().contentLength().orElse(-1L);
        String checksum = req.headers().first(CHECKSUM).orElse(null);
        try (InputStream body = new ClientBody(req.content().inputStream())) {
            return uploads.chunk(p, uploadId, offset, length, checksum, body);
        } catch (java.io.IOException e) {
            throw ProblemException.badRequest("chunk_incomplete", null, "the chunk could not be read");
        }
    }

    private void head(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER);
        UploadStatus s = uploads.status(p, req.path().pathParameters().get("id"));
        offsetHeaders(res, s);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send();
    }

    /** The upload's status; for HEAD (routed here as GET), tus's offset headers only. */
    private void get(ServerRequest req, ServerResponse res) {
        if (HttpHygiene.isHead()) {
            head(req, res);
            return;
        }
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER);
        send(res, Status.OK_200, uploads.status(p, req.path().pathParameters().get("id")));
    }

    private void patch(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!contentType.startsWith(CHUNK_TYPE)) {
            throw ProblemException.unsupportedMediaType("send chunks as Content-Type: application/offset+octet-stream");
        }
        Long offset = req.headers()
                .first(HeaderNames.create(OFFSET))
                .map(EvidenceService::parseOffset)
                .orElse(null);
        send(res, Status.OK_200, chunk(p, req.path().pathParameters().get("id"), offset, req));
    }

    private static Long parseOffset(String v) {
        try {
            long o = Long.parseLong(v.trim());
            if (o < 0) {
                throw new NumberFormatException();
            }
            return o;
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(
                    ViolationCodes.INVALID_FORMAT, OFFSET, "Upload-Offset must be a byte offset");
        }
    }

    /**
     * Streams an artifact. Failures are decided before the first byte where possible: the object is opened and its
     * first buffer read before any header is set, so an unreachable store is a clean 503 problem. A failure after the
     * first byte (or bytes ending short of the length) cannot be answered any more: the connection is closed, so the
     * client sees a cut transfer at once instead of waiting for bytes that never come.
     */
    private void download(ServerRequest req, ServerResponse res) {
        ArtifactRow a = readable(req);
        if (HttpHygiene.isHead()) {
            artifactHeaders(res, a);
            res.send();
            return;
        }
        InputStream in = store.open(a.sha256());
        try (in) {
            byte[] first = in.readNBytes((int) Math.min(a.size(), FIRST_READ));
            artifactHeaders(res, a);
            OutputStream out = res.outputStream();
            long sent;
            try {
                out.write(first);
                out.flush(); // the headers are out: from here a failure can only close the connection
                sent = first.length + in.transferTo(out);
            } catch (IOException | RuntimeException e) {
                throw new CloseConnectionException("artifact " + a.sha256() + " broke while streaming", e);
            }
            if (sent != a.size()) {
                throw new CloseConnectionException(
                        "artifact " + a.sha256() + " has " + sent + " bytes in the store, " + a.size() + " recorded");
            }
            out.close();
        } catch (IOException e) {
            throw new ArtifactStoreException("cannot read artifact " + a.sha256(), e, true, false);
        }
    }

    private static void artifactHeaders(ServerResponse res, ArtifactRow a) {
        res.header(HeaderNames.CONTENT_TYPE, a.mediaType());
        res.header(HeaderNames.CACHE_CONTROL, "private, max-age=86400, immutable");
        res.header(HeaderNames.ETAG, "\"" + a.sha256() + "\"");
        res.contentLength(a.size());
    }

    private void link(ServerRequest req, ServerResponse res) {
        ArtifactRow a = readable(req);
        Instant expires = clock.instant().plus(LINK_TTL);
        ArtifactLink link = store.presignedGet(a.sha256(), LINK_TTL)
                .map(u -> new ArtifactLink(a.sha256(), a.mediaType(), a.size(), u.toString(), true, expires))
                .orElseGet(() -> new ArtifactLink(
                        a.sha256(),
                        a.mediaType(),
                        a.size(),
                        URI.create("/v1/artifacts/" + a.sha256()).toString(),
                        false,
                        null));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        JsonBodies.ok(res, link);
    }

    /** The artifact, if this caller may read it: ops and ERP any, a driver the ones they uploaded or referenced. */
    private ArtifactRow readable(ServerRequest req) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER, Scope.ERP, Scope.OPS);
        String sha = req.path().pathParameters().get("sha256");
        if (!Identifiers.isSha256(sha)) {
            throw ProblemException.badRequest(
                    ViolationCodes.INVALID_FORMAT, "sha256", "sha256 must be 64 lowercase hex digits");
        }
        ArtifactRow a = db.read(tx -> {
            if (p.isDriver() && !tx.evidence().mayRead(p.driverId(), sha)) {
                throw ProblemException.forbidden("artifact_not_yours", "this artifact is not one of your deliveries");
            }
            return tx.evidence().findArtifact(sha).orElse(null);
        });
        if (a == null) {
            throw ProblemException.notFound("artifact_not_found", "no stored artifact " + sha);
        }
        return a;
    }

    private static void offsetHeaders(ServerResponse res, UploadStatus s) {
        res.header(OFFSET, String.valueOf(s.offset()));
        res.header("Upload-Length", String.valueOf(s.size()));
    }

    private static void send(ServerResponse res, Status status, UploadStatus s) {
        offsetHeaders(res, s);
        JsonBodies.send(res, status, s);
    }
}
