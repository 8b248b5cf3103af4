package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration mistakes stop the start with the key named; the operator's file and the environment layer as
 * documented; the effective configuration is logged once with its secrets masked; and the documented table of keys is
 * exactly the set of keys the server reads.
 */
class ConfigurationTest {
    static final String ERP_WEBHOOK_SECRET = "whsec_"
            + java.util.Base64.getEncoder()
                    .encodeToString("configuration-test-secret-0123".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private IllegalArgumentException refused(Map<String, String> settings) {
        return assertThrows(IllegalArgumentException.class, () -> TestServer.start(dir, settings));
    }

    @Test
    void aMisspelledKeyStopsTheStartNamingItAndTheClosestKnownKey() {
        String m = refused(Map.of("podsync.artifact.store", "s3")).getMessage();
        assertTrue(m.contains("podsync.artifact.store: not a known key"), m);
        assertTrue(m.contains("the closest known key is podsync.artifacts.store"), m);
        m = refused(Map.of("podsync.auth.acess-token-ttl", "PT1M")).getMessage();
        assertTrue(m.contains("podsync.auth.acess-token-ttl"), m);
        assertTrue(m.contains("podsync.auth.access-token-ttl"), m);
        assertFalse(Files.exists(dir.resolve("podsync.db")), "nothing was opened");
    }

    @Test
    void anEnvironmentVariableThatSpellsADashAsAnUnderscoreIsToldHowToSpellIt() {
        // PODSYNC_AUTH_ACCESS_TOKEN_TTL becomes podsync.auth.access.token.ttl in Helidon.
        String m = refused(Map.of("podsync.auth.access.token.ttl", "PT1M")).getMessage();
        assertTrue(m.contains("PODSYNC_AUTH_ACCESS_DASH_TOKEN_DASH_TTL"), m);
    }

    @Test
    void unknownKeysInListsAreNamedWithTheirListWrittenAsBrackets() {
        String m = refused(Map.of("podsync.auth.clients.0.scope.0", "ops")).getMessage();
        assertTrue(m.contains("podsync.auth.clients[].scope[]: not a known key"), m);
        assertTrue(m.contains("podsync.auth.clients[].scopes"), m);
    }

    @Test
    void s3SettingsBesideALocalStoreAreKnownKeys() {
        try (TestServer s = TestServer.start(dir, Map.of("podsync.artifacts.s3.bucket", "later"))) {
            assertEquals(200, s.send("GET", "/health/live", null, null, null).statusCode());
        }
    }

    @Test
    void theEffectiveConfigurationIsLoggedOnceWithSecretsMasked() {
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getLoggerName() + " " + r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger root = Logger.getLogger("");
        java.util.logging.Level was =
                Logger.getLogger(PodsyncServer.class.getName()).getLevel();
        Logger.getLogger(PodsyncServer.class.getName()).setLevel(java.util.logging.Level.INFO);
        root.addHandler(capture);
        try (TestServer s = TestServer.start(
                dir,
                Map.of(
                        "podsync.db.password", "db-password-never-logged",
                        "podsync.erp.endpoints.0.name", "erp",
                        "podsync.erp.endpoints.0.url", "http://127.0.0.1:1/hook",
                        "podsync.erp.endpoints.0.secrets.0", ERP_WEBHOOK_SECRET))) {
            s.erp().authenticate();
        } finally {
            root.removeHandler(capture);
            Logger.getLogger(PodsyncServer.class.getName()).setLevel(was);
        }
        List<String> effective = lines.stream()
                .filter(l -> l.contains("effective configuration"))
                .toList();
        assertEquals(1, effective.size(), lines.toString());
        String line = effective.get(0);
        assertTrue(line.contains("maxEventsPerPush=500"), line);
        assertTrue(line.contains("accessTokenTtl=PT15M"), line);
        assertTrue(line.contains("password=****"), line);
        assertTrue(line.contains("secret=****"), line);
        assertTrue(line.contains("secrets=****"), line);
        for (String secret : List.of(
                "db-password-never-logged",
                TestServer.ERP_SECRET,
                TestServer.OPS_SECRET,
                ERP_WEBHOOK_SECRET.substring(6))) {
            assertTrue(lines.stream().noneMatch(l -> l.contains(secret)), "a secret reached the log");
        }
    }

    @Test
    void theOperatorsFileLiesUnderSystemPropertiesAndOverTheDefaults() throws Exception {
        Path file = dir.resolve("podsync.yaml");
        Files.writeString(file, """
                podsync:
                  sync:
                    max-events-per-push: 100
                    future-tolerance: PT2M
                """);
        Map<String, String> props = Map.of("podsync.config", file.toString(), "podsync.sync.future-tolerance", "PT1M");
        props.forEach(System::setProperty);
        try {
            ServerConfig c = ServerConfig.from(ServerConfig.load());
            assertEquals(100, c.maxEventsPerPush(), "from the file");
            assertEquals(Duration.ofMinutes(1), c.futureTolerance(), "a system property wins over the file");
            assertEquals("podsync", c.issuer(), "the built-in default stays");
            assertEquals(file, c.configFile());
            System.setProperty("podsync.config", dir.resolve("missing.yaml").toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ServerConfig::load);
            assertTrue(e.getMessage().contains("podsync.config"), e.getMessage());
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }

    /** Every key there is: the lists and the S3 store have an element each, so that their keys are read too. */
    static Config everything() {
        Map<String, String> m = new HashMap<>();
        m.put("podsync.auth.clients.0.id", "erp");
        m.put("podsync.auth.clients.0.secret", TestServer.ERP_SECRET);
        m.put("podsync.auth.clients.0.scopes.0", "erp");
        m.put("podsync.erp.endpoints.0.name", "erp");
        m.put("podsync.erp.endpoints.0.url", "http://127.0.0.1:1/hook");
        m.put("podsync.erp.endpoints.0.secrets.0", ERP_WEBHOOK_SECRET);
        m.put("podsync.artifacts.store", "s3");
        m.put("podsync.artifacts.s3.endpoint", "http://127.0.0.1:1");
        m.put("podsync.artifacts.s3.bucket", "b");
        m.put("podsync.artifacts.s3.access-key", "a");
        m.put("podsync.artifacts.s3.secret-key", "s");
        return Config.just(ConfigSources.create(m));
    }

    /** The rows of the configuration table in operations.md: key → environment variable. */
    static Map<String, String> documentedKeys() throws Exception {
        Map<String, String> rows = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("..", "docs", "operations.md"))) {
            if (line.startsWith("| `podsync.") || line.startsWith("| `server.")) {
                String[] cells = line.split("\\|");
                rows.put(cells[1].strip().replace("`", ""), cells[2].strip().replace("`", ""));
            }
        }
        return rows;
    }

    @Test
    void theDocumentedTableHoldsExactlyTheKeysTheServerReads() throws Exception {
        Map<String, String> documented = documentedKeys();
        Set<String> podsync = new TreeSet<>();
        documented.keySet().stream().filter(k -> k.startsWith("podsync.")).forEach(podsync::add);
        assertEquals(ServerConfig.knownKeys(everything()), podsync, "operations.md, Configuration");
        documented.forEach((key, env) -> {
            assertEquals(ServerConfig.environmentVariable(key), env, key);
            // and Helidon itself maps that variable to the key
            assertTrue(
                    io.helidon.config.EnvironmentVariables.expand(Map.of(env, "x"))
                            .containsKey(key.replace("[]", ".0")),
                    env + " → " + key);
        });
    }
}
