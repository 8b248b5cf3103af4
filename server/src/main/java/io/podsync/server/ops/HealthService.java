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
 * Liveness ({@code live}: the process answers), readiness ({@code ready}: the database and the object store answer)
 * and start-up ({@code started}: the server has finished starting), at {@code /observe/health/...} as Helidon users
 * expect, and at {@code /health/...} as before. Public so that load balancers and orchestrators can probe them; they
 * reveal nothing but up or down.
 */
public final class HealthService implements HttpService {
    private final Database db;
    private final ArtifactStore store;
    private volatile boolean started;

    public HealthService(Database db, ArtifactStore store) {
        this.db = db;
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/live", (req, res) -> JsonBodies.ok(res, Map.of("status", "UP")))
                .get("/ready", this::ready)
                .get("/started", this::started);
    }

    /** The server has started its background work too: from now on {@code started} is up. */
    public void markStarted() {
        started = true;
    }

    private void started(ServerRequest req, ServerResponse res) {
        JsonBodies.send(
                res,
                started ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
                Map.of("status", started ? "UP" : "DOWN"));
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
