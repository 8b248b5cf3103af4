package io.podsync.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * The outermost filter: what keeps one request on a keep-alive connection from spilling into the next.
 *
 * <ul>
 *   <li><b>Unread bodies.</b> A request body no handler read is drained by Helidon when it is small and announced by
 *       {@code Content-Length}; otherwise (chunked, larger than {@code drainLimit}, or sent with
 *       {@code Expect: 100-continue} before the server asked for it) the answer says {@code Connection: close} and the
 *       connection is closed after it, so the body is never read as a request. Helidon 4.5 resets the connection's
 *       entity state for an {@code Expect} request whose body was not asked for and then reads the body bytes as the
 *       next request (see {@code HttpHygieneTest} for a reproduction); closing is what RFC 9110 section 10.1.1 asks
 *       of a server that answers before reading the content.
 *   <li><b>HEAD.</b> A HEAD request runs the GET handler of its path (this filter rewrites its prologue to GET,
 *       Helidon's own rerouting hook, and marks the thread: {@link #isHead}), and every body sent while it runs goes through {@link #send}, which announces the length and sends
 *       nothing (RFC 9110 section 9.3.2). Helidon neither routes HEAD to GET nor drops a HEAD answer's body.
 *   <li><b>Errors of the filters after this one</b> (authentication, protocol version) become problem documents here,
 *       through {@link ErrorMapping}, so that the decision to close comes after the answer.
 * </ul>
 */
public final class HttpHygiene implements Filter {
    // A request runs on one (virtual) thread from this filter to its answer, so the HEAD mark travels with it.
    private static final ThreadLocal<Boolean> HEAD = new ThreadLocal<>();

    private final long drainLimit;

    /** @param drainLimit the largest unread body (by {@code Content-Length}) drained instead of closing */
    public HttpHygiene(long drainLimit) {
        this.drainLimit = drainLimit;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        res.beforeSend(() -> {
            if (mustClose(req)) {
                res.header(HeaderValues.CONNECTION_CLOSE);
            }
        });
        boolean head = req.prologue().method() == Method.HEAD;
        if (head) {
            HEAD.set(Boolean.TRUE);
            // Routed as GET from here on (prologue(...) is Helidon's own rerouting hook); this filter still knows.
            HttpPrologue p = req.prologue();
            req.prologue(HttpPrologue.create(
                    p.rawProtocol(),
                    p.protocol(),
                    p.protocolVersion(),
                    Method.GET,
                    p.uriPath(),
                    p.query(),
                    p.fragment()));
        }
        try {
            chain.proceed();
        } catch (CloseConnectionException e) {
            throw e;
        } catch (RuntimeException e) {
            if (res.isSent()) {
                throw e;
            }
            ErrorMapping.handle(req, res, e);
        } finally {
            if (head) {
                HEAD.remove();
            }
        }
        if (mustClose(req)) {
            throw new CloseConnectionException("the request body was not read; closing instead of parsing it");
        }
    }

    private boolean mustClose(ServerRequest req) {
        boolean chunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        long length = req.headers().contentLength().orElse(0L);
        if (!chunked && length <= 0) {
            return false;
        }
        if (req.content().consumed()) {
            return false;
        }
        boolean unasked = req.headers().containsToken(HeaderValues.EXPECT_100) && !req.continueSent();
        return unasked || chunked || length > drainLimit;
    }

    /** Whether the request being answered on this thread is a HEAD request. */
    public static boolean isHead() {
        return HEAD.get() != null;
    }

    /** Sends {@code body}, or for a HEAD request only its length. Every handler's body goes through here. */
    public static void send(ServerResponse res, byte[] body) {
        if (isHead()) {
            res.contentLength(body.length);
            res.send();
        } else {
            res.send(body);
        }
    }

    public static void send(ServerResponse res, String body) {
        send(res, body.getBytes(StandardCharsets.UTF_8));
    }
}
