package io.podsync.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.podsync.protocol.ProtocolVersion;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses a request for a protocol major version this server does not speak, by path ({@code /v2/...}) or by the
 * {@value ProtocolVersion#HEADER} header, with a problem that says which version it does speak.
 */
public final class ProtocolVersionFilter implements Filter {
    private static final Pattern VERSIONED = Pattern.compile("^/v(\\d+)(/.*)?$");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Matcher m = VERSIONED.matcher(req.path().path());
        if (m.matches() && !m.group(1).equals(String.valueOf(ProtocolVersion.MAJOR))) {
            throw unsupported("v" + m.group(1));
        }
        req.headers().first(HeaderNames.create(ProtocolVersion.HEADER)).ifPresent(v -> {
            if (ProtocolVersion.majorOf(v) != ProtocolVersion.MAJOR) {
                throw unsupported(v);
            }
        });
        chain.proceed();
    }

    private static ProblemException unsupported(String asked) {
        return new ProblemException(
                400,
                "unsupported_protocol_version",
                "Unsupported protocol version",
                "this server speaks protocol " + ProtocolVersion.CURRENT + " (path /v" + ProtocolVersion.MAJOR
                        + "), not " + asked,
                ProtocolVersion.HEADER,
                null);
    }
}
