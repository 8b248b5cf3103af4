package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import io.podsync.simulator.fleet.Check;
import io.podsync.simulator.fleet.Fleet;
import io.podsync.simulator.fleet.FleetOptions;
import io.podsync.simulator.fleet.FleetReport;
import io.podsync.simulator.fleet.Observations;
import io.podsync.simulator.fleet.Progress;
import io.podsync.simulator.fleet.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small fleet of offline-first simulated devices, with every fault switched on, against a real server and the
 * reference ERP receiver: nothing captured may be lost or doubled, and every delivery reaches the ERP exactly once.
 */
class FleetSimulationTest {
    static final String SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("fleet-test-secret-0123456789".getBytes());

    @TempDir
    Path dir;

    ErpReceiver erp;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        erp = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        Map<String, String> c = new HashMap<>();
        c.put("podsync.erp.endpoints.0.name", "fleet-erp");
        c.put("podsync.erp.endpoints.0.url", erp.url().toString());
        c.put("podsync.erp.endpoints.0.secrets.0", SECRET);
        c.put("podsync.erp.endpoints.0.timeout", "PT1S");
        c.put("podsync.erp.retry-schedule.0", "PT0S");
        c.put("podsync.erp.retry-schedule.1", "PT0.1S");
        c.put("podsync.erp.retry-schedule.2", "PT0.1S");
        c.put("podsync.erp.poll-interval", "PT0.05S");
        server = TestServer.start(dir.resolve("server"), c, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        server.close();
        erp.close();
    }

    @Test
    @Timeout(90)
    void aChaoticFleetLosesNothingAndConfirmsEachDeliveryOnce() throws Exception {
        FleetOptions o = FleetOptions.basic(
                        server.uri(),
                        TestServer.ERP_SECRET,
                        TestServer.OPS_SECRET,
                        Files.createDirectories(dir.resolve("fleet")))
                .withSize(3, 4, 40, 7)
                .withFaults(0.2, 0.3, true, 0.08, 600, 0.3)
                .withReport(dir.resolve("report.json"));
        Fleet.Result result = new Fleet(o, erp, Progress.NONE).run();
        FleetReport r = result.report();
        r.print(System.out);
        assertTrue(r.passed(), () -> "verdict failed: " + r.checks());
        assertTrue(r.eventsCaptured() > 20, "the fleet did work");
        assertTrue(r.erpDeliveries() > 0, "deliveries were confirmed");
        assertTrue(r.duplicatesSent() > 0 && r.offlinePeriods() > 0 && r.crashes() > 0, "faults were injected");
        assertTrue(Files.size(dir.resolve("report.json")) > 0);

        // the verdict is not vacuous: the same run with one ERP delivery missing must fail
        Observations obs = result.observations();
        List<Delivery> fewer = new ArrayList<>(obs.deliveries());
        fewer.removeFirst();
        List<Check> broken = result.recheck(obs.withDeliveries(fewer));
        assertFalse(broken.stream().allMatch(Check::passed), "a missing ERP delivery must fail the verdict");
        // and with one delivered twice
        List<Delivery> doubled = new ArrayList<>(obs.deliveries());
        doubled.add(doubled.getFirst());
        assertFalse(result.recheck(obs.withDeliveries(doubled)).stream().allMatch(Check::passed));
    }

    @Test
    @Timeout(90)
    void everyBundledScenarioPasses() throws Exception {
        for (String name : Scenario.BUNDLED) {
            FleetOptions o = FleetOptions.basic(
                    server.uri(),
                    TestServer.ERP_SECRET,
                    TestServer.OPS_SECRET,
                    Files.createDirectories(dir.resolve("scenario-" + name)));
            FleetReport r =
                    new Fleet(o, erp, Progress.NONE, Scenario.load(name)).run().report();
            r.print(System.out);
            assertTrue(r.passed(), () -> name + " failed: " + r.checks());
        }
    }
}
