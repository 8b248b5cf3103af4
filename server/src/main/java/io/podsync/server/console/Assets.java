package io.podsync.server.console;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.server.http.HttpHygiene;
import io.podsync.server.http.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's static files, from the jar: its style sheet, and htmx from its WebJar. A fixed list, so
 * no path from the request ever reaches the class path.
 */
final class Assets {
    private record Asset(String resource, String type) {}

    private static final Map<String, Asset> ASSETS = Map.of(
            "console.css",
            new Asset("/io/podsync/server/console/console.css", "text/css; charset=utf-8"),
            "htmx.min.js",
            new Asset(
                    "/META-INF/resources/webjars/htmx.org/" + webJarVersion("org.webjars.npm", "htmx.org")
                            + "/dist/htmx.min.js",
                    "text/javascript; charset=utf-8"));
    private static final Map<String, byte[]> LOADED = new ConcurrentHashMap<>();

    private Assets() {}

    static void serve(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Asset a = ASSETS.get(name);
        if (a == null) {
            throw ProblemException.notFound("not_found", "no such file");
        }
        byte[] bytes = LOADED.computeIfAbsent(name, n -> load(a.resource()));
        res.header(HeaderNames.CONTENT_TYPE, a.type());
        res.header(HeaderNames.CACHE_CONTROL, "max-age=3600");
        res.header("X-Content-Type-Options", "nosniff");
        HttpHygiene.send(res, bytes);
    }

    private static byte[] load(String resource) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the console asset " + resource + " is not in the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version of a WebJar on the class path, from its own Maven metadata (the parent pom pins it). */
    private static String webJarVersion(String group, String artifact) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the WebJar " + group + ":" + artifact + " is not on the class path");
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
