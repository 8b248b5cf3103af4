package io.podsync.server.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.logging.common.HelidonMdc;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Correlation ids: taken from the {@code X-Correlation-Id} request header when it is sane, generated otherwise,
 * echoed on the response, attached to problem documents, stored with what the request writes, and on every log line
 * written while the request is served (in Helidon's log context, {@link #LOG_KEY}).
 */
public final class Correlation implements Filter {
    public static final HeaderName HEADER = HeaderNames.create("X-Correlation-Id");
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** The key of the correlation id in the log context (a field of JSON log lines). */
    public static final String LOG_KEY = "correlationId";

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
        logged(id, chain::proceed);
    }

    public static String of(ServerRequest req) {
        return req.context().get(Id.class).map(Id::value).orElse(null);
    }

    /** The correlation id of the log lines written on this thread now, or null. */
    public static String logged() {
        return HelidonMdc.get(LOG_KEY).orElse(null);
    }

    /** Runs {@code work} with {@code id} (null: none) as the correlation id of the log lines it writes. */
    public static <T> T logged(String id, Supplier<T> work) {
        String before = logged();
        logAs(id);
        try {
            return work.get();
        } finally {
            logAs(before);
        }
    }

    public static void logged(String id, Runnable work) {
        logged(id, () -> {
            work.run();
            return null;
        });
    }

    private static void logAs(String id) {
        if (id == null) {
            HelidonMdc.remove(LOG_KEY);
        } else {
            HelidonMdc.set(LOG_KEY, id);
        }
    }
}
