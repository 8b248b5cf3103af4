package io.podsync.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.simulator.fleet.FleetOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetCommandTest {
    private static FleetOptions parse(String... args) throws Exception {
        return FleetCommand.options(new Args(args, 0));
    }

    @Test
    void everyOptionIsParsedIntoItsTypedField() throws Exception {
        FleetOptions o = parse(
                "--server",
                "http://localhost:8080",
                "--erp-secret",
                "e",
                "--ops-secret",
                "o",
                "--devices",
                "5",
                "--stops",
                "6",
                "--steps",
                "70",
                "--seed",
                "42",
                "--offline-probability",
                "0.3",
                "--max-offline-steps",
                "4",
                "--duplicate-probability",
                "0.1",
                "--reorder",
                "--crash-probability",
                "0.02",
                "--max-clock-skew-seconds",
                "600",
                "--cut-upload-probability",
                "0.5",
                "--slow-network-ms",
                "20",
                "--batch",
                "25",
                "--erp-receiver-port",
                "0",
                "--webhook-secret",
                "whsec_abc",
                "--report",
                "r.json",
                "--work-dir",
                "w");
        assertEquals("http://localhost:8080", o.server().toString());
        assertEquals("o", o.opsSecret());
        assertEquals(5, o.devices());
        assertEquals(6, o.stops());
        assertEquals(70, o.steps());
        assertEquals(42, o.seed());
        assertEquals(0.3, o.offlineProbability());
        assertEquals(4, o.maxOfflineSteps());
        assertEquals(0.1, o.faults().duplicateProbability());
        assertTrue(o.reorder());
        assertEquals(0.02, o.crashProbability());
        assertEquals(600, o.maxClockSkewSeconds());
        assertEquals(0.5, o.faults().cutUploadProbability());
        assertEquals(20, o.faults().slowNetworkMs());
        assertEquals(25, o.batch());
        assertEquals(0, o.erpReceiverPort());
        assertEquals("whsec_abc", o.webhookSecret());
        assertEquals(Path.of("r.json"), o.report());
        assertEquals(Path.of("w"), o.workDir());
    }

    @Test
    void defaultsNeedOnlyServerAndErpSecret() throws Exception {
        FleetOptions o = parse("--server", "http://h", "--erp-secret", "e", "--work-dir", "w");
        assertEquals(3, o.devices());
        assertFalse(o.reorder());
        assertNull(o.erpReceiverPort());
        assertNull(o.opsSecret());
    }

    @Test
    void badValuesAreUsageErrors() {
        for (List<String> bad : List.of(
                List.of("--erp-secret", "e"),
                List.of("--server", "http://h", "--erp-secret", "e", "--offline-probability", "1.5"),
                List.of("--server", "http://h", "--erp-secret", "e", "--crash-probability", "often"),
                List.of("--server", "http://h", "--erp-secret", "e", "--erp-receiver-port", "0"),
                List.of("--server", "http://h", "--erp-secret", "e", "--devcies", "3"))) {
            assertThrows(IllegalArgumentException.class, () -> parse(bad.toArray(String[]::new)), bad.toString());
        }
    }

    @Test
    void helpExplainsEveryOption() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        assertEquals(0, SimulatorMain.run(new String[] {"fleet", "--help"}, new PrintStream(b), System.err));
        String help = b.toString();
        for (String opt : List.of(
                "--server",
                "--erp-secret",
                "--ops-secret",
                "--devices",
                "--stops",
                "--steps",
                "--seed",
                "--offline-probability",
                "--duplicate-probability",
                "--reorder",
                "--crash-probability",
                "--max-clock-skew-seconds",
                "--cut-upload-probability",
                "--slow-network-ms",
                "--erp-receiver-port",
                "--webhook-secret",
                "--report")) {
            assertTrue(help.contains(opt + " "), opt);
        }
    }
}
