package io.podsync.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The API reference, public: the OpenAPI document that ships in {@code mobile-sync-protocol} ({@code /openapi}, YAML,
 * or JSON for {@code Accept: application/json} or {@code ?format=json}) and a page that renders it
 * ({@code /openapi/ui}, Swagger UI from its WebJar). Everything is read once at start-up; HEAD gets the headers alone.
 */
public final class OpenApiService implements HttpService {
    static final String DOCUMENT = "/io/podsync/protocol/openapi.yaml";
    private static final String PAGE = "/io/podsync/server/openapi-ui/";
    private static final String WEBJAR = "/META-INF/resources/webjars/swagger-ui/";
    /** What the page loads: Swagger UI's own files and the page's start script; nothing else is served. */
    private static final Map<String, String> ASSETS = Map.of(
            "swagger-ui.css", "text/css",
            "swagger-ui-bundle.js", "text/javascript",
            "favicon-32x32.png", "image/png",
            "podsync-init.js", "text/javascript");

    private final byte[] yaml;
    private final byte[] json;
    private final byte[] page;
    private final Map<String, byte[]> assets;

    public OpenApiService() {
        this.yaml = resource(DOCUMENT);
        try {
            this.json = new ObjectMapper().writeValueAsBytes(new ObjectMapper(new YAMLFactory()).readTree(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document does not parse", e);
        }
        this.page = resource(PAGE + "index.html");
        Properties webjar = new Properties();
        try (InputStream in = stream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            webjar.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String version = webjar.getProperty("version");
        this.assets = ASSETS.keySet().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(
                        name -> name,
                        name -> resource(name.startsWith("podsync-") ? PAGE + name : WEBJAR + version + "/" + name)));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/openapi", this::document).get("/openapi/ui", this::page).get("/openapi/ui/{asset}", this::asset);
    }

    private void document(ServerRequest req, ServerResponse res) {
        String format = req.query().first("format").orElse("").toLowerCase(Locale.ROOT);
        boolean asJson = format.equals("json")
                || (format.isEmpty()
                        && req.headers()
                                .bestAccepted(MediaTypes.APPLICATION_YAML, MediaTypes.APPLICATION_JSON)
                                .filter(MediaTypes.APPLICATION_JSON::equals)
                                .isPresent());
        res.header(HeaderNames.CACHE_CONTROL, "max-age=300");
        res.header(HeaderNames.CONTENT_TYPE, asJson ? "application/json" : "application/yaml");
        HttpHygiene.send(res, asJson ? json : yaml); // no body for HEAD
    }

    private void page(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        HttpHygiene.send(res, page);
    }

    private void asset(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("asset");
        String type = ASSETS.get(name);
        if (type == null) {
            throw ProblemException.notFound("not_found", "no such file of the API reference page: " + name);
        }
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.header(HeaderNames.CACHE_CONTROL, "max-age=86400");
        HttpHygiene.send(res, assets.get(name));
    }

    private static byte[] resource(String path) {
        try (InputStream in = stream(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream stream(String path) {
        InputStream in = OpenApiService.class.getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException(path + " is not on the class path");
        }
        return in;
    }
}
