package io.podsync.server.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.server.http.HttpHygiene;

/**
 * Renders the console's pages: JTE templates under {@code src/main/jte}, compiled to classes at build time (so a
 * template mistake fails the build, and the server needs no compiler when it runs), HTML-escaped by default.
 *
 * <p>Every page goes out with headers that keep it to itself: no caching (pages show live data and CSRF tokens), a
 * content security policy that allows only the console's own scripts, styles and images (no inline script, no
 * framing), no MIME sniffing and no referrer beyond this origin.
 */
final class Pages {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    void render(ServerResponse res, Status status, String template, Object model) {
        Utf8ByteOutput out = new Utf8ByteOutput();
        engine.render(template, model, out);
        byte[] html = out.toByteArray();
        res.status(status);
        securityHeaders(res);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        HttpHygiene.send(res, html);
    }

    void render(ServerResponse res, String template, Object model) {
        render(res, Status.OK_200, template, model);
    }

    static void securityHeaders(ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header("Content-Security-Policy", CSP);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("X-Frame-Options", "DENY");
        res.header("Referrer-Policy", "same-origin");
    }
}
