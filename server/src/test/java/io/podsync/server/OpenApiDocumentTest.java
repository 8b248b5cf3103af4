package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.podsync.protocol.json.ProtocolJson;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The OpenAPI document ships with the protocol and describes every endpoint the server routes. */
class OpenApiDocumentTest {
    /** Every route of {@link PodsyncServer#routing}; a new endpoint must be added here and to the document. */
    private static final List<String> ENDPOINTS = List.of(
            "post /v1/auth/token",
            "post /v1/auth/enroll",
            "get /.well-known/jwks.json",
            "post /v1/devices/enrollments",
            "post /v1/devices/{deviceId}/revoke",
            "post /v1/ops/keys/rotate",
            "put /v1/routes/{routeId}",
            "get /v1/routes/{routeId}",
            "post /v1/routes/{routeId}/cancel",
            "post /v1/routes/{routeId}/reassign",
            "post /v1/sync/push",
            "get /v1/sync/pull",
            "get /v1/ops/exceptions",
            "get /v1/ops/exceptions/{id}",
            "post /v1/ops/exceptions/{id}/resolve",
            "get /health/live",
            "get /health/ready",
            "get /metrics",
            "post /v1/uploads",
            "head /v1/uploads/{id}",
            "get /v1/uploads/{id}",
            "patch /v1/uploads/{id}",
            "get /v1/artifacts/{sha256}",
            "get /v1/artifacts/{sha256}/link",
            "get /v1/ops/outbox",
            "get /v1/ops/outbox/reconciliation",
            "get /v1/ops/outbox/{id}",
            "post /v1/ops/outbox/{id}/replay",
            "post /v1/ops/outbox/replay-dead",
            "post /v1/ops/erp-endpoints/{name}/enable",
            "post /v1/ops/erp-endpoints/{name}/recover");

    /**
     * Every record that travels, by the schema that documents it: what the server answers, what clients send, and
     * what ERP endpoints receive.
     */
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
            Map.entry("Trip", io.podsync.protocol.Milestone.Trip.class));

    @Test
    void everyEndpointIsDocumentedWithItsProblems() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/io/podsync/protocol/openapi.yaml")) {
            assertNotNull(in, "openapi.yaml is not on the classpath of the protocol module");
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        assertTrue(doc.get("openapi").asText().startsWith("3.1"));
        JsonNode paths = doc.get("paths");
        for (String endpoint : ENDPOINTS) {
            String[] parts = endpoint.split(" ", 2);
            JsonNode path = paths.get(parts[1]);
            assertNotNull(path, "undocumented path " + parts[1]);
            assertNotNull(path.get(parts[0]), "undocumented operation " + endpoint);
        }
        int operations = 0;
        for (JsonNode path : paths) {
            operations += path.size() - (path.has("parameters") ? 1 : 0);
        }
        assertEquals(ENDPOINTS.size(), operations, "the document has operations the server does not route");
        assertNotNull(doc.at("/components/schemas/Problem"));
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
}
