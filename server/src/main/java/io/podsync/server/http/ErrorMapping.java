package io.podsync.server.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.Problem;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.storage.StorageException;
import io.podsync.storage.artifact.ArtifactStoreException;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where failures become responses: every error is an RFC 9457 problem document with a stable code,
 * and none carries a stack trace or an internal message.
 */
public final class ErrorMapping {
    private static final System.Logger LOG = System.getLogger(ErrorMapping.class.getName());
    private static final HeaderName PRAGMA = HeaderNames.create("Pragma");

    private ErrorMapping() {}

    /** The code a request was answered with (a problem's {@code code}, an OAuth {@code error}), in its context. */
    public record Answered(String code) {}

    /** The code of the error this request was answered with; null when it was not an error. */
    public static String answered(ServerRequest req) {
        return req.context().get(Answered.class).map(Answered::code).orElse(null);
    }

    /** Every failure of a route goes through {@link #handle}. */
    public static void register(HttpRouting.Builder routing) {
        routing.error(Throwable.class, ErrorMapping::handle);
    }

    /** Answers a failure with its problem document. */
    public static void handle(ServerRequest req, ServerResponse res, Throwable e) {
        if (e instanceof OAuthError o) {
            send(req, res, o);
        } else {
            // answered after the filters returned: the log lines of an unexpected failure carry the id all the same
            send(req, res, Correlation.logged(Correlation.of(req), () -> problemOf(req, e)));
        }
    }

    /**
     * An RFC 6749 error answer (section 5.2): JSON with {@code error} and {@code error_description}, never cached
     * (section 5.1), as OAuth 2.0 client libraries expect it.
     */
    private static void send(ServerRequest req, ServerResponse res, OAuthError e) {
        String correlationId = Correlation.of(req);
        req.context().register(new Answered(e.error()));
        res.headers().clear();
        if (correlationId != null) {
            res.header(Correlation.HEADER, correlationId);
        }
        res.status(e.status());
        e.headers().forEach(res::header);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(PRAGMA, "no-cache");
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", e.error());
        body.put("error_description", e.getMessage());
        HttpHygiene.send(res, ProtocolJson.toBytes(body));
    }

    /** The problem document for a failure; unexpected ones are logged with the correlation id. */
    static ProblemException problemOf(ServerRequest req, Throwable e) {
        return switch (e) {
            case ProblemException p -> p;
            case StorageException s -> {
                LOG.log(Level.WARNING, "storage failure [" + Correlation.of(req) + "]: " + s.getMessage(), s);
                yield ProblemException.unavailable(
                        "storage_unavailable", "the database is unavailable; retry with the same idempotency keys");
            }
            case HttpException h -> fromHttp(h);
            case ArtifactStoreException a -> fromArtifactStore(req, a);
            default -> {
                LOG.log(Level.ERROR, "unexpected failure [" + Correlation.of(req) + "]", e);
                yield new ProblemException(
                        500,
                        "internal_error",
                        "Internal error",
                        "the server failed; the correlation id identifies this request in its logs",
                        null,
                        null);
            }
        };
    }

    private static ProblemException fromArtifactStore(ServerRequest req, ArtifactStoreException e) {
        if (e.isNotFound()) {
            return ProblemException.notFound("artifact_not_found", "no such artifact");
        }
        if (e.isTransient()) {
            LOG.log(Level.WARNING, "object store failure [" + Correlation.of(req) + "]: " + e.getMessage());
            return ProblemException.unavailable(
                    "object_store_unavailable",
                    "the object store is unavailable; nothing was lost, send the same chunk again later");
        }
        LOG.log(Level.ERROR, "object store refused [" + Correlation.of(req) + "]: " + e.getMessage());
        return new ProblemException(
                500,
                "object_store_error",
                "Object store error",
                "the object store refused the operation; operators have been told",
                null,
                null);
    }

    private static ProblemException fromHttp(HttpException e) {
        int status = e.status().code();
        String code = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
        return new ProblemException(
                status, code, e.status().reasonPhrase(), e.status().reasonPhrase(), null, null);
    }

    /**
     * Sends the problem with its own headers only: whatever the handler had set for the answer it meant to give (an
     * artifact's length, ETag and caching) is dropped, and no cache keeps an error.
     */
    public static void send(ServerRequest req, ServerResponse res, ProblemException e) {
        String correlationId = Correlation.of(req);
        Problem p = new Problem(
                Problem.typeOf(e.code()),
                e.title(),
                e.status(),
                e.getMessage(),
                e.code(),
                e.field(),
                correlationId,
                e.errors().isEmpty() ? null : e.errors());
        req.context().register(new Answered(e.code()));
        res.headers().clear();
        if (correlationId != null) {
            res.header(Correlation.HEADER, correlationId);
        }
        res.status(e.status());
        e.headers().forEach(res::header);
        res.header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (e.status() == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"podsync\"");
        }
        HttpHygiene.send(res, ProtocolJson.toBytes(p));
    }
}
