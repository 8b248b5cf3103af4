package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.podsync.server.http.Routes;
import io.podsync.storage.Database;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document is valid to a real OpenAPI parser, describes exactly the routes the server's routing has (read
 * from {@link PodsyncServer#services}, not from a list kept by hand), and is served with its reference page.
 */
class OpenApiDocumentTest {
    @TempDir
    Path dir;

    static String document() throws Exception {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/io/podsync/protocol/openapi.yaml")) {
            assertNotNull(in, "openapi.yaml is not on the classpath of the protocol module");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static OpenAPI parsed() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(document(), null, options);
        assertEquals(List.of(), result.getMessages(), "the OpenAPI parser found errors");
        assertNotNull(result.getOpenAPI());
        assertTrue(result.getOpenAPI().getOpenapi().startsWith("3.1"));
        return result.getOpenAPI();
    }

    @Test
    void theDocumentIsValidAndEveryRouteHasAnOperationAndEveryOperationARoute() throws Exception {
        Set<String> operations = new TreeSet<>();
        parsed().getPaths()
                .forEach((path, item) -> item.readOperationsMap()
                        .keySet()
                        .forEach(m -> operations.add(m.name().toLowerCase(Locale.ROOT) + " " + path)));

        ServerConfig cfg = ServerConfig.from(TestServer.config(dir, Map.of()));
        Set<String> routes = new TreeSet<>();
        try (Database db = Database.open(cfg.db())) {
            PodsyncServer.Services services = PodsyncServer.Services.create(cfg, db, Clock.systemUTC());
            Routes.of(r -> PodsyncServer.services(r, services))
                    .all()
                    .forEach(r -> routes.add(r.method().text().toLowerCase(Locale.ROOT) + " " + r.pattern()));
        }

        assertTrue(routes.size() > 30, "the routing was read: " + routes);
        assertEquals(Set.of(), minus(routes, operations), "routes without an operation in the document");
        // every GET resource answers HEAD too (HttpHygiene routes HEAD as GET); the document lists the HEAD that
        // matters to clients (tus's offset request) and need not list the others
        Set<String> answered = new TreeSet<>(routes);
        routes.stream().filter(r -> r.startsWith("get ")).forEach(r -> answered.add("head " + r.substring(4)));
        assertEquals(Set.of(), minus(operations, answered), "operations the server does not route");
    }

    @Test
    void theDocumentAndItsPageAreServedWithoutAToken() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            HttpResponse<String> yaml = server.send("GET", "/openapi", null, null, null);
            assertEquals(200, yaml.statusCode());
            assertEquals(
                    "application/yaml",
                    yaml.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(document(), yaml.body());
            HttpResponse<String> json = server.send("GET", "/openapi?format=json", null, null, null);
            assertEquals(200, json.statusCode());
            JsonNode fromYaml = new ObjectMapper(new YAMLFactory()).readTree(document());
            assertEquals(fromYaml, new ObjectMapper().readTree(json.body()));

            HttpResponse<String> page = server.send("GET", "/openapi/ui", null, null, null);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("swagger-ui-bundle.js"), page.body());
            for (String asset : List.of("swagger-ui.css", "swagger-ui-bundle.js", "podsync-init.js")) {
                HttpResponse<String> a = server.send("GET", "/openapi/ui/" + asset, null, null, null);
                assertEquals(200, a.statusCode(), asset);
                assertTrue(a.body().length() > 100, asset);
            }
            assertEquals(
                    404,
                    server.send("GET", "/openapi/ui/index.html", null, null, null)
                            .statusCode());
            assertEquals(
                    404,
                    server.send("GET", "/openapi/ui/..%2Fopenapi", null, null, null)
                            .statusCode());
        }
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }
}
