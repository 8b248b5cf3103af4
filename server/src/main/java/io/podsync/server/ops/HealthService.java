package io.podsync.server.ops;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.server.http.JsonBodies;
import io.podsync.storage.Database;
import io.podsync.storage.artifact.ArtifactStore;
import java.util.Map;

/**
 * Liveness ({@code /health/live}: the process answers) and readiness ({@code /health/ready}: the database and the
 * object store answer).
 * Public so that load balancers can probe them; they reveal nothing but up or down.
 */
public final class HealthService implements HttpService {
    private final Database db;
    private final ArtifactStore store;

    public HealthService(Database db, ArtifactStore store) {
        this.db = db;
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/live", (req, res) -> JsonBodies.ok(res, Map.of("status", "UP")))
                .get("/ready", this::ready);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        boolean database = db.isHealthy();
        boolean objects = store.isHealthy();
        boolean up = database && objects;
        JsonBodies.send(
                res,
                up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
                Map.of(
                        "status",
                        up ? "UP" : "DOWN",
                        "checks",
                        Map.of("database", database ? "UP" : "DOWN", "objectStore", objects ? "UP" : "DOWN")));
    }
}
