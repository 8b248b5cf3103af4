package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's sockets disable Nagle's algorithm unless the operator turns it back on: with it on, an answer's last
 * segment waited for the client's delayed ACK, which capped a device at about 20 pushes a second.
 */
class ConnectionOptionsTest {
    @TempDir
    Path dir;

    @Test
    void answersGoOutWithoutNaglesDelayByDefault() {
        try (TestServer server = TestServer.start(dir)) {
            assertTrue(server.server().webConfig().connectionOptions().tcpNoDelay());
        }
    }

    @Test
    void otherConnectionOptionsKeepTheDefault() {
        try (TestServer server = TestServer.start(dir, Map.of("server.connection-options.read-timeout", "PT45S"))) {
            assertTrue(server.server().webConfig().connectionOptions().tcpNoDelay());
            assertEquals(
                    Duration.ofSeconds(45),
                    server.server().webConfig().connectionOptions().readTimeout());
        }
    }

    @Test
    void anOperatorMayTurnItOff() {
        try (TestServer server = TestServer.start(dir, Map.of("server.connection-options.tcp-no-delay", "false"))) {
            assertFalse(server.server().webConfig().connectionOptions().tcpNoDelay());
        }
    }
}
