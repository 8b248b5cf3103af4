package io.podsync.server.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Correlation ids: taken from the {@code X-Correlation-Id} request header when it is sane, generated otherwise,
 * echoed on the response, attached to problem documents, and stored with what the request writes.
 */
public final class Correlation implements Filter {
    public static final HeaderName HEADER = HeaderNames.create("X-Correlation-Id");
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** The id of this request, in the request context. */
    public record Id(String value) {}

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String id = req.headers()
                .first(HEADER)
                .filter(v -> SANE.matcher(v).matches())
                .orElseGet(() -> UUID.randomUUID().toString());
        req.context().register(new Id(id));
        res.header(HEADER, id);
        chain.proceed();
    }

    public static String of(ServerRequest req) {
        return req.context().get(Id.class).map(Id::value).orElse(null);
    }
}
