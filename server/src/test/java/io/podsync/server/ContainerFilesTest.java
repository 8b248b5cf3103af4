package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.helidon.config.EnvironmentVariables;
import io.podsync.protocol.json.ProtocolJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No container engine runs here, so the container and orchestrator files are checked against the code instead: every
 * setting they pass is a key the server reads, every port and probe path is one the server serves, nobody runs as
 * root, and every metric the Grafana dashboard queries is one a running server exports.
 */
class ContainerFilesTest {
    static final Path DEPLOY = Path.of("..", "deploy");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Variables that are not settings: the launcher's. */
    static final Set<String> LAUNCHER_VARIABLES = Set.of("JAVA_OPTS");

    static Set<String> known;

    @TempDir
    Path dir;

    @BeforeAll
    static void knownKeys() {
        known = ServerConfig.knownKeys(ConfigurationTest.everything());
    }

    /** The setting an environment variable makes, as Helidon maps it, or fails when it is none the server reads. */
    static void assertKnownVariable(String name, String where) {
        if (LAUNCHER_VARIABLES.contains(name)) {
            return;
        }
        if (name.equals("SERVER_PORT") || name.equals("SERVER_HOST")) {
            return;
        }
        String key = EnvironmentVariables.expand(Map.of(name, "x")).keySet().stream()
                .filter(k -> k.startsWith("podsync."))
                .findFirst()
                .orElseThrow(() -> new AssertionError(where + ": " + name + " is not a podsync setting"));
        assertTrue(RecordingConfig.covered(RecordingConfig.normalize(key), known), where + ": " + name + " → " + key);
    }

    static void assertKnownKeys(JsonNode tree, String prefix, String where) {
        if (tree.isObject()) {
            tree.properties().forEach(e -> assertKnownKeys(e.getValue(), prefix + "." + e.getKey(), where));
        } else if (tree.isArray()) {
            for (int i = 0; i < tree.size(); i++) {
                assertKnownKeys(tree.get(i), prefix + "." + i, where);
            }
        } else {
            String key = RecordingConfig.normalize(prefix.substring(1));
            assertTrue(key.startsWith("podsync."), where + ": " + key);
            assertTrue(RecordingConfig.covered(key, known), where + ": " + key + " is not a known key");
        }
    }

    /** The exit code of {@code bin/podsync health PORT}. */
    static int health(int port) throws Exception {
        Process p = new ProcessBuilder("bash", "src/dist/bin/podsync", "health", String.valueOf(port))
                .redirectErrorStream(true)
                .start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        return p.waitFor();
    }

    /** The server's default port, from the built-in configuration. */
    static int defaultPort() throws IOException {
        return YAML.readTree(
                        Path.of("src", "main", "resources", "application.yaml").toFile())
                .at("/server/port")
                .asInt();
    }

    @Test
    void theDockerfileRunsTheLauncherAsANonRootUserOnTheServersPortWithAHealthCheck() throws Exception {
        List<String> lines = Files.readAllLines(DEPLOY.resolve("container/Dockerfile"));
        List<String> users = lines.stream().filter(l -> l.startsWith("USER ")).toList();
        assertEquals(1, users.size(), "one USER, in the final stage");
        String user = users.get(0).substring(5).strip().split(":")[0];
        assertFalse(user.equals("0") || user.equals("root"), user);
        int lastFrom = 0;
        for (int i = 0; i < lines.size(); i++) {
            lastFrom = lines.get(i).startsWith("FROM ") ? i : lastFrom;
        }
        assertTrue(lines.indexOf(users.get(0)) > lastFrom, "USER in the final stage");
        assertTrue(lines.contains("EXPOSE " + defaultPort()), "EXPOSE the default port");
        String health = lines.stream()
                .filter(l -> l.startsWith("HEALTHCHECK "))
                .findFirst()
                .orElseThrow();
        assertTrue(health.contains("[\"/opt/podsync/bin/podsync\", \"health\"]"), health);
        // Without a port the health command asks SERVER_PORT, else the server's default.
        assertTrue(
                Files.readString(Path.of("src", "dist", "bin", "podsync"))
                        .contains("port=${2:-${SERVER_PORT:-" + defaultPort() + "}}"),
                "the launcher's health command defaults to the server's port");
        assertTrue(lines.contains("ENTRYPOINT [\"/opt/podsync/bin/podsync\"]"), "the launcher is the entry point");
        // The launcher's health command, run for real against a server that is ready and a port where none is.
        try (TestServer server = TestServer.start(dir)) {
            assertEquals(0, health(server.server().port()), "ready");
        }
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            int port = free.getLocalPort();
            free.close();
            assertEquals(1, health(port), "nothing listening");
        }
        for (String l : lines) {
            if (l.startsWith("ENV ")) {
                assertKnownVariable(l.substring(4).split("[= ]")[0], "Dockerfile");
            }
        }
    }

    @Test
    void composeGivesEveryReplicaKnownSettingsAndTheBalancerAndPrometheusRealPathsAndPorts() throws Exception {
        JsonNode compose =
                YAML.readTree(DEPLOY.resolve("container/compose.yaml").toFile());
        JsonNode services = compose.get("services");
        List<String> replicas = new ArrayList<>();
        services.properties().forEach(e -> {
            JsonNode s = e.getValue();
            boolean podsync = s.path("image").asText().startsWith("podsync")
                    || s.at("/extends/service").asText().startsWith("podsync");
            if (podsync) {
                replicas.add(e.getKey());
                s.path("environment")
                        .fieldNames()
                        .forEachRemaining(n -> assertKnownVariable(n, "compose " + e.getKey()));
            }
        });
        assertTrue(replicas.size() >= 2, "two replicas at least: " + replicas);
        JsonNode a = services.get("podsync-a");
        assertEquals("s3", a.at("/environment/PODSYNC_ARTIFACTS_STORE").asText(), "replicas need a shared store");
        assertTrue(a.path("read_only").asBoolean(), "read-only root file system");

        String haproxy = Files.readString(DEPLOY.resolve("container/haproxy.cfg"));
        assertTrue(
                haproxy.contains("http-check send meth GET uri /health/ready ver HTTP/1.1"),
                "balancer checks readiness, in HTTP/1.1 (Helidon answers 1.0 with 505)");
        for (String r : replicas) {
            assertTrue(haproxy.contains(" " + r + ":" + defaultPort() + " check"), "balancer sends to " + r);
        }
        JsonNode prometheus =
                YAML.readTree(DEPLOY.resolve("container/prometheus.yml").toFile());
        JsonNode job = prometheus.at("/scrape_configs/0");
        assertEquals("/metrics", job.path("metrics_path").asText());
        Set<String> targets = new TreeSet<>();
        job.at("/static_configs/0/targets").forEach(t -> targets.add(t.asText()));
        Set<String> expected = new TreeSet<>();
        int port = defaultPort();
        replicas.forEach(r -> expected.add(r + ":" + port));
        assertEquals(expected, targets, "Prometheus scrapes every replica");

        // The real server answers these paths as the files expect.
        try (TestServer server = TestServer.start(dir)) {
            assertEquals(
                    200, server.send("GET", "/health/ready", null, null, null).statusCode());
            assertEquals(
                    200,
                    server.send(
                                    "GET",
                                    job.path("metrics_path").asText(),
                                    null,
                                    null,
                                    server.ops().authenticate().accessToken())
                            .statusCode());
        }
    }

    @Test
    void theKubernetesDeploymentUsesKnownSettingsRealProbesAndNoRoot() throws Exception {
        Map<String, JsonNode> byKind = new HashMap<>();
        try (var parser = YAML.getFactory()
                .createParser(DEPLOY.resolve("kubernetes/podsync.yaml").toFile())) {
            Iterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode d = docs.next();
                byKind.put(d.path("kind").asText(), d);
            }
        }
        for (String kind :
                List.of("ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler")) {
            assertNotNull(byKind.get(kind), kind);
        }
        JsonNode pod = byKind.get("Deployment").at("/spec/template/spec");
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
        assertTrue(pod.at("/securityContext/runAsUser").asInt() > 0);
        JsonNode container = pod.at("/containers/0");
        assertTrue(container.at("/securityContext/readOnlyRootFilesystem").asBoolean());
        assertEquals(defaultPort(), container.at("/ports/0/containerPort").asInt());
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> {
            assertKnownVariable(e.path("name").asText(), "Deployment");
            env.put(e.path("name").asText(), e.path("value").asText());
            if (e.has("valueFrom")) {
                assertEquals(
                        "podsync-secrets", e.at("/valueFrom/secretKeyRef/name").asText(), e.toString());
            }
        });
        // The operator's file comes from the ConfigMap, mounted where PODSYNC_CONFIG says.
        JsonNode configMap = byKind.get("ConfigMap");
        String fileName = configMap.path("data").fieldNames().next();
        String mount = null;
        for (JsonNode m : container.path("volumeMounts")) {
            String volume = m.path("name").asText();
            for (JsonNode v : pod.path("volumes")) {
                if (v.path("name").asText().equals(volume)
                        && v.at("/configMap/name")
                                .asText()
                                .equals(configMap.at("/metadata/name").asText())) {
                    mount = m.path("mountPath").asText();
                }
            }
        }
        assertEquals(mount + "/" + fileName, env.get("PODSYNC_CONFIG"));
        assertKnownKeys(YAML.readTree(configMap.at("/data/" + fileName).asText()), "", "ConfigMap");
        // Probes on the paths the server serves, on the container's port.
        Set<String> paths = new TreeSet<>();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode p = container.path(probe);
            assertEquals("http", p.at("/httpGet/port").asText(), probe);
            paths.add(p.at("/httpGet/path").asText());
        }
        assertEquals(
                "/health/ready", container.at("/readinessProbe/httpGet/path").asText());
        try (TestServer server = TestServer.start(dir)) {
            for (String path : paths) {
                assertEquals(200, server.send("GET", path, null, null, null).statusCode(), path);
            }
        }
        String app = byKind.get("Deployment").at("/spec/selector/matchLabels").toString();
        assertEquals(
                app,
                byKind.get("PodDisruptionBudget")
                        .at("/spec/selector/matchLabels")
                        .toString());
        assertEquals(app, byKind.get("Service").at("/spec/selector").toString());
        assertEquals(
                "podsync",
                byKind.get("HorizontalPodAutoscaler")
                        .at("/spec/scaleTargetRef/name")
                        .asText());
    }

    /** The metric names in the dashboard's queries (Prometheus's own {@code up} aside). */
    static Set<String> dashboardMetrics() throws IOException {
        JsonNode dashboard = JsonMapper.builder()
                .build()
                .readTree(DEPLOY.resolve("grafana/dashboards/podsync.json").toFile());
        Set<String> names = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:podsync|jvm|process)_[a-z0-9_]+)\\b");
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = metric.matcher(target.path("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** Metric names a server exports now (the sample lines of its Prometheus text). */
    static Set<String> exported(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]")[0]);
            }
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardQueriesIsOneARunningServerExports() throws Exception {
        Set<String> wanted = dashboardMetrics();
        assertTrue(wanted.size() >= 10, wanted.toString());
        // An ERP endpoint nobody listens on, so that a failed attempt is counted too.
        Map<String, String> settings = Map.of(
                "podsync.erp.endpoints.0.name", "nobody",
                "podsync.erp.endpoints.0.url", "http://127.0.0.1:1/hook",
                "podsync.erp.endpoints.0.secrets.0", ConfigurationTest.ERP_WEBHOOK_SECRET,
                "podsync.erp.connect-timeout", "PT0.5S",
                "podsync.erp.poll-interval", "PT0.05S");
        try (TestServer server = TestServer.start(dir, settings)) {
            server.erp().releaseRoute("RM", Fixtures.route("RM", "DM", 1));
            TestServer.Device device = server.device("DM");
            device.client()
                    .push(new io.podsync.protocol.PushRequest(
                            java.time.Instant.now(),
                            List.of(Fixtures.event(
                                    java.util.UUID.randomUUID().toString(),
                                    1,
                                    io.podsync.protocol.EventType.DELIVERED,
                                    "RM-S1",
                                    java.time.Instant.now().minusSeconds(30),
                                    Fixtures.fullDelivery("RM-O1")))));
            server.device("DM").client().pull(null, 10);
            String ops = server.ops().authenticate().accessToken();
            TestServer.await(
                    () -> exported(server.send("GET", "/metrics", null, null, ops)
                                    .body())
                            .contains("podsync_erp_attempts_failed_total"),
                    "a failed ERP attempt");
            Set<String> have =
                    exported(server.send("GET", "/metrics", null, null, ops).body());
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(have);
            assertTrue(missing.isEmpty(), "the dashboard queries metrics no server exports: " + missing);
        }
        JsonNode source = YAML.readTree(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml")
                .toFile());
        JsonNode dashboard =
                ProtocolJson.read(Files.readString(DEPLOY.resolve("grafana/dashboards/podsync.json")), JsonNode.class);
        assertEquals(
                source.at("/datasources/0/uid").asText(),
                dashboard.at("/panels/0/datasource/uid").asText(),
                "the panels use the provisioned data source");
    }
}
