package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.util.List;
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
            "post /v1/ops/erp-endpoints/{name}/enable");

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
}
