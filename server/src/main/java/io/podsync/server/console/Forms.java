package io.podsync.server.console;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.podsync.server.http.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * HTML form bodies ({@code application/x-www-form-urlencoded}), at most {@code maxBytes}, read once per request and
 * kept in its context (the console's gate reads the CSRF token, the handler the rest).
 */
final class Forms {
    private record Parsed(Map<String, String> fields) {}

    private Forms() {}

    static Map<String, String> read(ServerRequest req, int maxBytes) {
        Parsed cached = req.context().get(Parsed.class).orElse(null);
        if (cached != null) {
            return cached.fields();
        }
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        Map<String, String> fields = new HashMap<>();
        if (type.startsWith("application/x-www-form-urlencoded")) {
            byte[] body;
            try (InputStream in = req.content().inputStream()) {
                body = in.readNBytes(maxBytes + 1);
            } catch (IOException e) {
                throw ProblemException.badRequest("unreadable_body", null, "the form could not be read");
            }
            if (body.length > maxBytes) {
                throw ProblemException.tooLarge("payload_too_large", null, "the form is larger than " + maxBytes);
            }
            for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                try {
                    String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    fields.putIfAbsent(name, value);
                } catch (IllegalArgumentException e) {
                    throw ProblemException.badRequest("malformed_form", null, "the form is not URL-encoded");
                }
            }
        }
        req.context().register(new Parsed(Map.copyOf(fields)));
        return req.context().get(Parsed.class).orElseThrow().fields();
    }
}
