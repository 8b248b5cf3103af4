package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.http.Routes;
import io.podsync.storage.jdbc.Database;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
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
            var replicas = new io.podsync.server.ops.Replicas(
                    db, Clock.systemUTC(), "openapi-test", cfg.artifacts().identity(), cfg.heartbeatInterval());
            PodsyncServer.Services services = PodsyncServer.Services.create(cfg, db, Clock.systemUTC(), replicas);
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

    /** Every field the protocol's JSON mapping writes or reads is documented, and nothing else is. */
    @Test
    void everyFieldOfEveryRecordIsInItsSchema() throws Exception {
        JsonNode schemas;
        try (InputStream in = getClass().getResourceAsStream("/io/podsync/protocol/openapi.yaml")) {
            schemas = new ObjectMapper(new YAMLFactory()).readTree(in).at("/components/schemas");
        }
        List<String> wrong = new ArrayList<>();
        SCHEMAS.forEach((name, type) -> {
            JsonNode props = schemas.path(name).path("properties");
            Set<String> documented = new TreeSet<>();
            props.fields().forEachRemaining(f -> {
                if (!f.getValue().path("deprecated").asBoolean()) { // an old name, still read
                    documented.add(f.getKey());
                }
            });
            Set<String> mapped = new TreeSet<>();
            for (BeanPropertyDefinition p : ProtocolJson.mapper()
                    .getSerializationConfig()
                    .introspect(ProtocolJson.mapper().constructType(type))
                    .findProperties()) {
                mapped.add(p.getName());
            }
            if (!documented.equals(mapped)) {
                wrong.add(name + ": the mapping has " + mapped + ", the schema " + documented);
            }
        });
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    private static final Map<String, Class<?>> SCHEMAS = Map.ofEntries(
            Map.entry("Problem", io.podsync.protocol.Problem.class),
            Map.entry("Violation", io.podsync.protocol.Violation.class),
            Map.entry("TokenRequest", io.podsync.protocol.TokenRequest.class),
            Map.entry("TokenResponse", io.podsync.protocol.TokenResponse.class),
            Map.entry("DeviceEnrollRequest", io.podsync.protocol.DeviceEnrollRequest.class),
            Map.entry("DeviceCredentials", io.podsync.protocol.DeviceCredentials.class),
            Map.entry("EnrollmentRequest", io.podsync.protocol.EnrollmentRequest.class),
            Map.entry("EnrollmentCode", io.podsync.protocol.EnrollmentCode.class),
            Map.entry("GeoPoint", io.podsync.protocol.GeoPoint.class),
            Map.entry("TimeWindow", io.podsync.protocol.TimeWindow.class),
            Map.entry("ProofPolicy", io.podsync.protocol.ProofPolicy.class),
            Map.entry("LineSpec", io.podsync.protocol.LineSpec.class),
            Map.entry("OrderSpec", io.podsync.protocol.OrderSpec.class),
            Map.entry("StopSpec", io.podsync.protocol.StopSpec.class),
            Map.entry("RouteRelease", io.podsync.protocol.RouteRelease.class),
            Map.entry("ReassignRequest", io.podsync.protocol.ReassignRequest.class),
            Map.entry("RouteReleaseResult", io.podsync.protocol.RouteReleaseResult.class),
            Map.entry("RouteView", io.podsync.protocol.RouteView.class),
            Map.entry("StopView", io.podsync.protocol.StopView.class),
            Map.entry("StopStateView", io.podsync.protocol.StopStateView.class),
            Map.entry("RouteDetail", io.podsync.protocol.RouteDetail.class),
            Map.entry("GeoFix", io.podsync.protocol.GeoFix.class),
            Map.entry("Recipient", io.podsync.protocol.Recipient.class),
            Map.entry("LineOutcome", io.podsync.protocol.LineOutcome.class),
            Map.entry("EvidenceRef", io.podsync.protocol.EvidenceRef.class),
            Map.entry("EventPayload", io.podsync.protocol.EventPayload.class),
            Map.entry("CapturedEvent", io.podsync.protocol.CapturedEvent.class),
            Map.entry("PushRequest", io.podsync.protocol.PushRequest.class),
            Map.entry("EventResult", io.podsync.protocol.EventResult.class),
            Map.entry("PushResponse", io.podsync.protocol.PushResponse.class),
            Map.entry("Change", io.podsync.protocol.Change.class),
            Map.entry("PullResponse", io.podsync.protocol.PullResponse.class),
            Map.entry("ExceptionView", io.podsync.protocol.ExceptionView.class),
            Map.entry("ExceptionFinding", io.podsync.protocol.ExceptionView.Finding.class),
            Map.entry("ExceptionPage", io.podsync.protocol.ExceptionPage.class),
            Map.entry("ExceptionResolution", io.podsync.protocol.ExceptionResolution.class),
            Map.entry("RecoverRequest", io.podsync.protocol.RecoverRequest.class),
            Map.entry("UploadRequest", io.podsync.protocol.UploadRequest.class),
            Map.entry("UploadStatus", io.podsync.protocol.UploadStatus.class),
            Map.entry("ArtifactLink", io.podsync.protocol.ArtifactLink.class),
            Map.entry("OutboxAttempt", io.podsync.protocol.OutboxView.Attempt.class),
            Map.entry("OutboxView", io.podsync.protocol.OutboxView.class),
            Map.entry("ErpEvent", io.podsync.protocol.ErpEvent.class),
            Map.entry("PodConfirmation", io.podsync.protocol.PodConfirmation.class),
            Map.entry("ConfirmedOrder", io.podsync.protocol.PodConfirmation.ConfirmedOrder.class),
            Map.entry("ConfirmedLine", io.podsync.protocol.PodConfirmation.ConfirmedLine.class),
            Map.entry("ConfirmedEvidence", io.podsync.protocol.PodConfirmation.ConfirmedEvidence.class),
            Map.entry("Milestone", io.podsync.protocol.Milestone.class),
            Map.entry("Trip", io.podsync.protocol.Milestone.Trip.class),
            Map.entry("RouteSummary", io.podsync.protocol.RouteSummary.class),
            Map.entry("RoutePage", io.podsync.protocol.RoutePage.class),
            Map.entry("DeviceSummary", io.podsync.protocol.DeviceSummary.class),
            Map.entry("DevicePage", io.podsync.protocol.DevicePage.class),
            Map.entry("StoredEvent", io.podsync.protocol.StoredEvent.class),
            Map.entry("StoredEventPage", io.podsync.protocol.StoredEventPage.class),
            Map.entry("LatencySeries", io.podsync.protocol.LatencySeries.class),
            Map.entry("LatencyBucket", io.podsync.protocol.LatencySeries.Bucket.class));
}
