package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.podsync.protocol.client.PodsyncClient;
import io.podsync.server.auth.ClientRegistry;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without configured API clients, the first start creates {@code erp} and {@code ops} and writes their secrets. */
class BootstrapCredentialsTest {
    @TempDir
    Path dir;

    /** A file left from an earlier database (deleted to start over) is replaced; on main the start failed on it. */
    @Test
    void aFileOfAnEarlierDatabaseIsReplacedWithSecretsThatSignIn() throws Exception {
        Path file = dir.resolve(ClientRegistry.BOOTSTRAP_FILE);
        Files.writeString(file, "erp.client-id=erp\nerp.client-secret=stale-secret-of-a-deleted-database\n");
        Config config = Config.just(ConfigSources.create(
                Map.of("server.port", "0", "server.host", "127.0.0.1", "podsync.data-dir", dir.toString())));
        try (PodsyncServer server = PodsyncServer.start(config, Clock.systemUTC())) {
            Properties creds = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                creds.load(in);
            }
            String secret = creds.getProperty("erp.client-secret");
            assertNotEquals("stale-secret-of-a-deleted-database", secret);
            PodsyncClient erp =
                    new PodsyncClient(URI.create("http://127.0.0.1:" + server.port())).useClient("erp", secret);
            assertEquals("Bearer", erp.authenticate().tokenType());
        }
    }
}
