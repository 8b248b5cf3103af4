package io.podsync.server.evidence;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Handler;
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
import io.podsync.storage.artifact.ArtifactStore;
import io.podsync.storage.artifact.ArtifactStoreException;
import io.podsync.storage.jdbc.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Uploads ({@code /v1/uploads}: tus 1.0.0 with creation, creation-with-upload, expiration, checksum and termination,
 * plus the JSON declaration of the reference client) for devices, and artifact reads ({@code /v1/artifacts/{sha256}})
 * for ops, the ERP and the driver whose events reference the artifact.
 */
public final class EvidenceService implements HttpService {
    private static final String CHUNK_TYPE = "application/offset+octet-stream";
    private static final Duration LINK_TTL = Duration.ofMinutes(5);
    /** Read before any header is sent, so that a store that fails at once gets a clean problem answer. */
    private static final int FIRST_READ = 64 * 1024;

    private static final HeaderName X_METHOD = HeaderNames.create("X-HTTP-Method-Override");

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
        // HEAD /v1/uploads/{id} is routed here as GET (HttpHygiene): get() answers it as tus's offset request.
        rules.options("/v1/uploads", this::discover)
                .post("/v1/uploads", tusAnswer(this::create))
                .options("/v1/uploads/{id}", this::discover)
                .get("/v1/uploads/{id}", this::get)
                .patch("/v1/uploads/{id}", tusAnswer(this::patch))
                .post("/v1/uploads/{id}", tusAnswer(this::overridden))
                .delete("/v1/uploads/{id}", tusAnswer(this::terminate))
                .get("/v1/artifacts/{sha256}", this::download)
                .get("/v1/artifacts/{sha256}/link", this::link);
    }

    /** tus discovery; public, since it tells nothing but the server's upload limits. */
    private void discover(ServerRequest req, ServerResponse res) {
        Tus.discovery(res, uploads.maxBytes());
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * Declares an upload: as JSON ({@code UploadRequest}), or as tus creation ({@code Upload-Length} and
     * {@code Upload-Metadata} headers, no body or the first chunk as the body).
     */
    private void create(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER);
        boolean tus = Tus.requested(req);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!tus && !contentType.startsWith(CHUNK_TYPE)) {
            sendDeclared(res, uploads.declare(p, JsonBodies.read(req, UploadRequest.class, 16 * 1024)));
            return;
        }
        UploadStatus declared = uploads.declare(
                p,
                UploadMetadata.parse(
                        req.headers().first(Tus.UPLOAD_METADATA).orElse(null),
                        req.headers().first(Tus.UPLOAD_LENGTH).orElse(null)));
        UploadStatus s = declared;
        if (req.headers().contentLength().orElse(0L) > 0 || req.headers().contains(HeaderNames.TRANSFER_ENCODING)) {
            if (!contentType.startsWith(CHUNK_TYPE)) {
                throw ProblemException.unsupportedMediaType(
                        "send the first chunk as Content-Type: application/offset+octet-stream");
            }
            // tus "creation with upload": the body is the chunk at offset 0. An upload of this device already past
            // 0 does not take it: the answer says where it stands.
            if (declared.isStored() || declared.offset() == 0) {
                s = chunk(p, declared.uploadId(), 0L, req);
            } else {
                discardBody(req);
            }
        }
        res.header(HeaderNames.LOCATION, Tus.location(declared.uploadId()));
        if (tus) {
            Tus.uploadHeaders(res, s);
            res.status(Status.CREATED_201).send();
        } else {
            sendDeclared(res, s);
        }
    }

    /** 200 for an artifact stored or an upload under way, 201 for an upload still at offset 0. */
    private static void sendDeclared(ServerResponse res, UploadStatus s) {
        send(res, s.isStored() || s.offset() > 0 ? Status.OK_200 : Status.CREATED_201, s);
    }

    /** The request's body as the chunk at {@code offset}. */
    private UploadStatus chunk(Principal p, String uploadId, Long offset, ServerRequest req) {
        long length = req.headers().contentLength().orElse(-1L);
        String checksum = req.headers().first(Tus.UPLOAD_CHECKSUM).orElse(null);
        try (InputStream body = new ClientBody(req.content().inputStream())) {
            return uploads.chunk(p, uploadId, offset, length, checksum, body);
        } catch (java.io.IOException e) {
            throw ProblemException.badRequest("chunk_incomplete", null, "the chunk could not be read");
        }
    }

    /** Reads a body that is not taken, so that the connection can carry the next request. */
    private static void discardBody(ServerRequest req) {
        try (InputStream body = new ClientBody(req.content().inputStream())) {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (java.io.IOException e) {
            // the client went away; there is nothing to answer
        }
    }

    /**
     * tus: where the upload stands, in headers only. A problem is answered like any other, with {@code Tus-Resumable};
     * being a HEAD answer, it has its headers and no body ({@link HttpHygiene}).
     */
    private void head(ServerRequest req, ServerResponse res) {
        try {
            Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER);
            Tus.requested(req);
            UploadStatus s = uploads.status(p, req.path().pathParameters().get("id"));
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            Tus.uploadHeaders(res, s);
            res.header(Tus.UPLOAD_METADATA, UploadMetadata.of(s.sha256()));
            res.send();
        } catch (ProblemException e) {
            throw e.withHeader(Tus.RESUMABLE.defaultCase(), Tus.VERSION);
        }
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
        boolean tus = Tus.requested(req);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!contentType.startsWith(CHUNK_TYPE)) {
            throw ProblemException.unsupportedMediaType("send chunks as Content-Type: application/offset+octet-stream");
        }
        Long offset = req.headers()
                .first(Tus.UPLOAD_OFFSET)
                .map(EvidenceService::parseOffset)
                .orElse(null);
        UploadStatus s = chunk(p, req.path().pathParameters().get("id"), offset, req);
        if (tus) {
            Tus.uploadHeaders(res, s);
            res.status(Status.NO_CONTENT_204).send();
        } else {
            send(res, Status.OK_200, s);
        }
    }

    /**
     * tus's {@code X-HTTP-Method-Override}: a POST that stands for a PATCH or a DELETE, for HTTP stacks without PATCH
     * (Java's {@code HttpURLConnection}, which tus-java-client uses, is one).
     */
    private void overridden(ServerRequest req, ServerResponse res) {
        String method = req.headers().first(X_METHOD).orElse("");
        switch (method.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "PATCH" -> patch(req, res);
            case "DELETE" -> terminate(req, res);
            default ->
                throw new ProblemException(
                        405,
                        "method_not_allowed",
                        "Method not allowed",
                        "POST to an upload needs X-HTTP-Method-Override: PATCH or DELETE",
                        "X-HTTP-Method-Override",
                        null);
        }
    }

    /** tus termination: an open upload and its staged chunks are deleted; a completed one stays. */
    private void terminate(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER);
        Tus.requested(req);
        uploads.terminate(p, req.path().pathParameters().get("id"));
        res.header(Tus.RESUMABLE, Tus.VERSION);
        res.status(Status.NO_CONTENT_204).send();
    }

    /** An upload handler whose problem answers carry {@code Tus-Resumable}, as tus asks of every answer. */
    private static Handler tusAnswer(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (ProblemException e) {
                throw e.withHeader(Tus.RESUMABLE.defaultCase(), Tus.VERSION);
            }
        };
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
                    ViolationCodes.INVALID_FORMAT, "Upload-Offset", "Upload-Offset must be a byte offset");
        }
    }

    /** Artifact reads for the operations console ({@code /ops/artifacts/{sha256}}), with the caller's principal. */
    public Handler artifactReader() {
        return this::download;
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

    private static void send(ServerResponse res, Status status, UploadStatus s) {
        Tus.uploadHeaders(res, s);
        JsonBodies.send(res, status, s);
    }
}
