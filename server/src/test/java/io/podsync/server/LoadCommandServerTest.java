package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.simulator.SimulatorMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The testers' load command, end to end against a real server: every pushed event comes back applied. */
class LoadCommandServerTest {
    @TempDir
    Path dir;

    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @Timeout(60)
    void everyEventOfTheLoadIsAppliedAndCountedOnce() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = SimulatorMain.run(
                new String[] {
                    "load",
                    "--server",
                    server.uri().toString(),
                    "--erp-secret",
                    TestServer.ERP_SECRET,
                    "--devices",
                    "3",
                    "--batch",
                    "7",
                    "--events",
                    "300",
                    "--warmup",
                    "30"
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, () -> text + err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("events=300 "), text);
        assertTrue(text.contains("not-applied=0"), text);
        assertTrue(text.contains("pushes=45 "), text); // 100 events per device in pushes of 7: 15 each
    }

    @Test
    @Timeout(60)
    void anOpenModelLoadKeepsItsRateAcrossAListOfServers() {
        // Two addresses (here of one server): devices alternate between them, as between replicas.
        {
            var out = new ByteArrayOutputStream();
            int code = SimulatorMain.run(
                    new String[] {
                        "load",
                        "--server",
                        server.uri() + "," + server.uri(),
                        "--erp-secret",
                        TestServer.ERP_SECRET,
                        "--devices",
                        "4",
                        "--batch",
                        "5",
                        "--events",
                        "200",
                        "--warmup",
                        "0",
                        "--rate",
                        "100"
                    },
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, text);
            assertTrue(text.contains("pushes=40 "), text);
            assertTrue(text.contains("open-model rate=100/s"), text);
            // 40 pushes due 10 ms apart: the last is due 390 ms after the first, so the run cannot be shorter.
            double seconds = Double.parseDouble(text.replaceAll("(?s).*seconds=([0-9.]+).*", "$1"));
            assertTrue(seconds >= 0.39, text);
        }
    }
}
