package io.podsync.server.http;

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

/**
 * The one place where failures become responses: every error is an RFC 9457 problem document with a stable code,
 * and none carries a stack trace or an internal message.
 */
public final class ErrorMapping {
    private static final System.Logger LOG = System.getLogger(ErrorMapping.class.getName());

    private ErrorMapping() {}

    public static void register(HttpRouting.Builder routing) {
        routing.error(ProblemException.class, (req, res, e) -> send(req, res, e));
        routing.error(StorageException.class, (req, res, e) -> {
            LOG.log(Level.WARNING, "storage failure [" + Correlation.of(req) + "]: " + e.getMessage(), e);
            send(
                    req,
                    res,
                    ProblemException.unavailable(
                                    "storage_unavailable",
                                    "the database is unavailable; retry with the same idempotency keys")
                            .withHeader("Retry-After", "5"));
        });
        routing.error(HttpException.class, (req, res, e) -> send(req, res, fromHttp(e)));
        routing.error(ArtifactStoreException.class, (req, res, e) -> {
            if (e.isNotFound()) {
                send(req, res, ProblemException.notFound("artifact_not_found", "no such artifact"));
            } else if (e.isTransient()) {
                LOG.log(Level.WARNING, "object store failure [" + Correlation.of(req) + "]: " + e.getMessage());
                send(
                        req,
                        res,
                        ProblemException.unavailable(
                                        "object_store_unavailable",
                                        "the object store is unavailable; nothing was lost, send the same chunk again later")
                                .withHeader("Retry-After", "5"));
            } else {
                LOG.log(Level.ERROR, "object store refused [" + Correlation.of(req) + "]: " + e.getMessage());
                send(
                        req,
                        res,
                        new ProblemException(
                                500,
                                "object_store_error",
                                "Object store error",
                                "the object store refused the operation; operators have been told",
                                null,
                                null));
            }
        });
        routing.error(Throwable.class, (req, res, e) -> {
            LOG.log(Level.ERROR, "unexpected failure [" + Correlation.of(req) + "]", e);
            send(
                    req,
                    res,
                    new ProblemException(
                            500,
                            "internal_error",
                            "Internal error",
                            "the server failed; the correlation id identifies this request in its logs",
                            null,
                            null));
        });
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

    public static void send(ServerRequest req, ServerResponse res, ProblemException e) {
        Problem p = new Problem(
                Problem.typeOf(e.code()),
                e.title(),
                e.status(),
                e.getMessage(),
                e.code(),
                e.field(),
                Correlation.of(req),
                e.errors().isEmpty() ? null : e.errors());
        res.status(e.status());
        e.headers().forEach(res::header);
        res.header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (e.status() == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"podsync\"");
        }
        res.send(ProtocolJson.toBytes(p));
    }
}
