package io.podsync.simulator.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A scripted run: who does what at which step, and which non-applied verdicts and exceptions that provokes on purpose.
 * Line-based so a tester can write one in a minute (see docs/simulator.md):
 *
 * <pre>
 * devices 2
 * stops 3
 * steps 12
 * 1 device 0 offline
 * 2 device 0 capture 5            (the next 5 actions of the driver's plan)
 * 3 dispatcher reassign-stop 0 2 to 1
 * 4 device 0 clock-jump -3600
 * 5 device 0 reboot
 * 6 device 0 online
 * 7 dispatcher amend-route 1 drop 3
 * 8 dispatcher cancel-order 1 2
 * expect device 0 stop 2 applied reassigned
 * expect exception reassigned_event
 * </pre>
 *
 * Stops are numbered from 1 within a driver's route. Without a {@code capture} line a device captures nothing: a
 * scenario is exact.
 */
public record Scenario(
        String name,
        int devices,
        int stops,
        int steps,
        List<Step> timeline,
        List<Expect> expects,
        Set<String> exceptions) {

    /** One timeline action. {@code who} is a device index, or -1 for the dispatcher. */
    public record Step(int step, int who, String action, List<String> args) {
        int arg(int i) {
            return Integer.parseInt(args.get(i));
        }
    }

    /** The verdicts allowed for one device's events at one stop of its route (instead of just applied). */
    public record Expect(int device, int stop, Set<String> verdicts) {}

    /** The scenarios shipped in {@code src/main/resources/scenarios}. */
    public static final List<String> BUNDLED = List.of(
            "offline-day",
            "stop-reassigned",
            "order-cancelled",
            "route-amended",
            "flaky-network",
            "reboot-loop",
            "clock-ahead",
            "two-drivers-offline",
            "dispatch-churn",
            "day-behind-with-reboots");

    static final Set<String> DEVICE_ACTIONS = Set.of("offline", "online", "reboot", "clock-jump", "capture");
    static final Set<String> DISPATCHER_ACTIONS = Set.of("reassign-stop", "amend-route", "cancel-order");

    /** A file, or a bundled scenario by name ({@code scenarios/<name>.txt} on the classpath). */
    public static Scenario load(String nameOrFile) throws IOException {
        Path p = Path.of(nameOrFile);
        if (Files.isRegularFile(p)) {
            return parse(p.getFileName().toString(), Files.readString(p));
        }
        try (InputStream in = Scenario.class.getResourceAsStream("/scenarios/" + nameOrFile + ".txt")) {
            if (in == null) {
                throw new IllegalArgumentException("no scenario file or bundled scenario named " + nameOrFile);
            }
            return parse(nameOrFile, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    public static Scenario parse(String name, String text) {
        int devices = 1;
        int stops = 1;
        int steps = -1;
        List<Step> timeline = new ArrayList<>();
        List<Expect> expects = new ArrayList<>();
        Set<String> exceptions = new HashSet<>();
        int n = 0;
        for (String raw : text.split("\n")) {
            n++;
            String line = raw.replaceAll("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] w = line.split("\\s+");
            try {
                switch (w[0]) {
                    case "devices" -> devices = Integer.parseInt(w[1]);
                    case "stops" -> stops = Integer.parseInt(w[1]);
                    case "steps" -> steps = Integer.parseInt(w[1]);
                    case "expect" -> {
                        if (w[1].equals("exception")) {
                            exceptions.add(w[2]);
                        } else if (w[1].equals("device") && w[3].equals("stop")) {
                            expects.add(new Expect(
                                    Integer.parseInt(w[2]),
                                    Integer.parseInt(w[4]),
                                    Set.of(java.util.Arrays.copyOfRange(w, 5, w.length))));
                        } else {
                            throw new IllegalArgumentException(
                                    "expect device D stop S VERDICT... or expect exception K");
                        }
                    }
                    default -> timeline.add(step(w));
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + " line " + n + ": " + e.getMessage() + ": " + raw.trim());
            }
        }
        int last = timeline.stream().mapToInt(Step::step).max().orElse(0);
        for (Step s : timeline) {
            if (s.who() >= devices) {
                throw new IllegalArgumentException(name + ": device " + s.who() + " but only " + devices + " devices");
            }
        }
        return new Scenario(
                name,
                devices,
                stops,
                steps < 0 ? last : steps,
                List.copyOf(timeline),
                List.copyOf(expects),
                Set.copyOf(exceptions));
    }

    private static Step step(String[] w) {
        int step = Integer.parseInt(w[0]);
        if (w[1].equals("device")) {
            String action = w[3];
            if (!DEVICE_ACTIONS.contains(action)) {
                throw new IllegalArgumentException("unknown device action " + action + ", one of " + DEVICE_ACTIONS);
            }
            return new Step(step, Integer.parseInt(w[2]), action, List.of(w).subList(4, w.length));
        }
        if (w[1].equals("dispatcher")) {
            if (!DISPATCHER_ACTIONS.contains(w[2])) {
                throw new IllegalArgumentException(
                        "unknown dispatcher action " + w[2] + ", one of " + DISPATCHER_ACTIONS);
            }
            return new Step(step, -1, w[2], List.of(w).subList(3, w.length));
        }
        throw new IllegalArgumentException("expected: STEP device N ACTION ... or STEP dispatcher ACTION ...");
    }

    List<Step> at(int step, int who) {
        return timeline.stream().filter(s -> s.step() == step && s.who() == who).toList();
    }

    /** The verdicts allowed for a device's event at a stop id. */
    Set<String> allowed(int device, String stopId, String routeOf) {
        for (Expect e : expects) {
            if (e.device() == device && stopId.equals(StopPlans.stopId(routeOf, e.stop()))) {
                return e.verdicts();
            }
        }
        return Set.of("applied");
    }
}
