package io.podsync.server.ops;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.server.http.JsonBodies;
import io.podsync.storage.Database;
import java.util.Map;

/**
 * Liveness ({@code /health/live}: the process answers) and readiness ({@code /health/ready}: the database answers).
 * Public so that load balancers can probe them; they reveal nothing but up or down.
 */
public final class HealthService implements HttpService {
    private final Database db;

    public HealthService(Database db) {
        this.db = db;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/live", (req, res) -> JsonBodies.ok(res, Map.of("status", "UP")))
                .get("/ready", this::ready);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        boolean up = db.isHealthy();
        JsonBodies.send(
                res,
                up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
                Map.of("status", up ? "UP" : "DOWN", "checks", Map.of("database", up ? "UP" : "DOWN")));
    }
}
