package io.podsync.simulator;

import io.podsync.simulator.erp.ErpReceiver;
import io.podsync.simulator.fleet.Fleet;
import io.podsync.simulator.fleet.FleetOptions;
import io.podsync.simulator.fleet.FleetReport;
import io.podsync.simulator.fleet.Progress;
import io.podsync.simulator.fleet.Scenario;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** {@code fleet}: runs offline-first devices with injected faults against a server and judges the outcome. */
final class FleetCommand {
    static final String HELP = """
            fleet: run a fleet of offline-first devices with faults, then check nothing was lost, doubled or
                   confirmed to the ERP twice (exit 0 verdict passed, 1 an invariant failed, 2 usage error)

              --server URL                 the podsync server (required)
              --erp-secret S               secret of the ERP client that releases routes and enrolls devices (required)
              --erp-client ID              ERP client id (default erp)
              --ops-secret S               secret of the ops client; needed for the "no unexpected exceptions" check
                                           (without it that check is skipped)
              --ops-client ID              ops client id (default ops)
              --devices N                  drivers, each with one device and one route (default 3)
              --stops N                    stops per route (default 4)
              --steps N                    simulated steps before the final "everyone online, sync until quiet" phase;
                                           a device captures at most one event per step (default 40)
              --seed N                     seed for every random decision; the same seed replays the same run (default 1)
              --offline-probability P      per step, chance 0-1 that an online device loses the network (default 0.2)
              --max-offline-steps N        an offline period lasts 1 to N steps (default 5)
              --duplicate-probability P    per push, chance 0-1 to resend 1-3 already acknowledged events (default 0.2)
              --reorder                    shuffle every push batch; the server must order by seq (default off)
              --crash-probability P        per step, chance 0-1 the app is killed and restarted from its SQLite file;
                                           half of it again per push, between the answer and recording it (default 0.05)
              --max-clock-skew-seconds N   each device clock is off by a fixed random amount within +-N s (default 0)
              --cut-upload-probability P   per evidence upload, chance 0-1 the network drops after one chunk; the next
                                           sync resumes from the server's offset (default 0.2)
              --slow-network-ms N          pause before every request of a device (default 0)
              --batch N                    events per push, 1-500 (default 10)
              --erp-receiver-port N        start the reference ERP receiver in-process on 127.0.0.1:N (0: a free port)
                                           and check every confirmed delivery arrives there exactly once; the server
                                           must have an ERP endpoint http://127.0.0.1:N/webhooks/pod with the same secret
              --webhook-secret S           the receiver's signing secret, whsec_<base64> (required with the port)
              --report FILE                also write the report as JSON
              --scenario NAME|FILE         run a scripted scenario instead of random faults: a file, or one of the
                                           bundled ones (%s); it sets devices, stops and
                                           steps itself and states which verdicts and exceptions it expects
              --work-dir DIR               where the devices' SQLite outboxes go (default: a new temporary directory)
            """.formatted(String.join(", ", Scenario.BUNDLED));

    private FleetCommand() {}

    static FleetOptions options(Args a) throws java.io.IOException {
        URI server = URI.create(a.required("server"));
        String erpSecret = a.required("erp-secret");
        String erpClient = a.string("erp-client", "erp");
        String opsSecret = a.string("ops-secret", null);
        String opsClient = a.string("ops-client", "ops");
        int devices = a.integer("devices", 3, 1, 10_000);
        int stops = a.integer("stops", 4, 1, 500);
        int steps = a.integer("steps", 40, 0, 1_000_000);
        long seed = a.integer("seed", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
        double offline = a.decimal("offline-probability", 0.2, 0, 1);
        int maxOffline = a.integer("max-offline-steps", 5, 1, 1_000_000);
        double duplicates = a.decimal("duplicate-probability", 0.2, 0, 1);
        boolean reorder = a.flag("reorder");
        double crash = a.decimal("crash-probability", 0.05, 0, 1);
        int skew = a.integer("max-clock-skew-seconds", 0, 0, 30 * 86_400);
        double cut = a.decimal("cut-upload-probability", 0.2, 0, 1);
        int slow = a.integer("slow-network-ms", 0, 0, 60_000);
        int batch = a.integer("batch", 10, 1, 500);
        int port = a.integer("erp-receiver-port", -1, 0, 65_535);
        String webhookSecret = a.string("webhook-secret", null);
        String report = a.string("report", null);
        String workDir = a.string("work-dir", null);
        a.rejectUnknown();
        return new FleetOptions(
                new FleetOptions.Connection(
                        server, erpClient, erpSecret, opsClient, opsSecret, port < 0 ? null : port, webhookSecret),
                new FleetOptions.Size(devices, stops, steps, seed, batch),
                new FleetOptions.Faults(offline, maxOffline, duplicates, reorder, crash, skew, cut, slow),
                report == null ? null : Path.of(report),
                workDir == null ? Files.createTempDirectory("podsync-fleet") : Path.of(workDir));
    }

    static int run(Args a, PrintStream out) throws Exception {
        String scenarioName = a.string("scenario", null);
        FleetOptions o = options(a);
        Scenario scenario = scenarioName == null ? null : Scenario.load(scenarioName);
        Progress progress = Progress.forStream(out, System.console() != null);
        ErpReceiver receiver = o.erpReceiverPort() == null
                ? null
                : ErpReceiver.start(o.erpReceiverPort(), List.of(o.webhookSecret()), Clock.systemUTC());
        try {
            if (receiver != null) {
                out.println("ERP receiver listening on " + receiver.url());
            }
            FleetReport r = new Fleet(o, receiver, progress, scenario).run().report();
            r.print(out);
            if (o.report() != null) {
                out.println("report written to " + o.report());
            }
            return r.passed() ? 0 : 1;
        } finally {
            if (receiver != null) {
                receiver.close();
            }
        }
    }
}
