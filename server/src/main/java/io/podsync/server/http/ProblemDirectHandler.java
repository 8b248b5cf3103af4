package io.podsync.server.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.podsync.protocol.Problem;
import io.podsync.protocol.json.ProtocolJson;
import java.lang.System.Logger.Level;
import java.util.UUID;

/**
 * Problem documents for what the HTTP layer refuses before any route runs: a request line too long (414), headers
 * too large (431), a body over the server's backstop size (413), a request that is not HTTP (400). Helidon would
 * answer those with plain text. No route ran, so there is no correlation id yet: one is made up and logged with the
 * reason, so the answer can be found in the log.
 */
public final class ProblemDirectHandler implements DirectHandler {
    private static final System.Logger LOG = System.getLogger(ProblemDirectHandler.class.getName());
    // Helidon's message when the header section exceeds server.protocols.http_1_1.max-headers-size; it answers 400.
    private static final String HEADERS_TOO_LARGE = "Header size exceeded";

    /** This handler for every kind of event. */
    public static DirectHandlers all() {
        DirectHandlers.Builder b = DirectHandlers.builder();
        ProblemDirectHandler handler = new ProblemDirectHandler();
        for (EventType type : EventType.values()) {
            b.addHandler(type, handler);
        }
        return b.build();
    }

    @Override
    public TransportResponse handle(
            TransportRequest request,
            EventType eventType,
            Status defaultStatus,
            ServerResponseHeaders responseHeaders,
            String message) {
        Status status = defaultStatus;
        if (status.code() == 400 && message != null && message.contains(HEADERS_TOO_LARGE)) {
            status = Status.create(431, "Request Header Fields Too Large");
        }
        String code = switch (status.code()) {
            case 400 -> "bad_request";
            case 403 -> "forbidden";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 505 -> "http_version_not_supported";
            default -> status.code() >= 500 ? "internal_error" : "bad_request";
        };
        String detail = switch (code) {
            case "uri_too_long" -> "the request line is too long; a pull cursor is at most a few hundred characters";
            case "headers_too_large" -> "the request headers are too large";
            case "payload_too_large" -> "the request body is larger than the server accepts";
            case "internal_error" -> "the server failed; the correlation id identifies this request in its logs";
            default -> "the request is not valid HTTP/1.1";
        };
        String correlationId = UUID.randomUUID().toString();
        LOG.log(
                status.code() >= 500 ? Level.WARNING : Level.DEBUG,
                "refused before routing [" + correlationId + "]: " + status.code() + " " + eventType + " "
                        + (message == null ? "" : message));
        Problem p = new Problem(
                Problem.typeOf(code), status.reasonPhrase(), status.code(), detail, code, null, correlationId, null);
        ServerResponseHeaders headers = ServerResponseHeaders.create();
        responseHeaders.forEach(headers::set);
        headers.set(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        headers.set(HeaderNames.CACHE_CONTROL, "no-store");
        headers.set(Correlation.HEADER, correlationId);
        TransportResponse.Builder b =
                TransportResponse.builder().status(status).headers(headers).keepAlive(eventType.keepAlive());
        if (!"HEAD".equals(request.method())) {
            b.entity(ProtocolJson.toBytes(p));
        }
        return b.build();
    }
}
