package io.podsync.simulator;

import java.io.PrintStream;

/** The podsync device simulator: {@code podsync-sim <command> [options]}. */
public final class SimulatorMain {
    static final String HELP = """
            podsync device simulator

            usage: podsync-sim <command> [options]

            commands:
            %s
            %s
            %s
            %s
            %s
            %s""".formatted(
                    FleetCommand.HELP,
                    LoadCommand.HELP,
                    UploadBench.HELP,
                    ErpBench.HELP,
                    SqliteBench.HELP,
                    ErpReceiverCommand.HELP);

    private SimulatorMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs a command and returns the exit code: 0 success, 1 an invariant failed, 2 a usage error. Public so that the
     * server's tests drive the commands end to end against a real server.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(HELP);
            return args.length == 0 ? 2 : 0;
        }
        try {
            Args a = new Args(args, 1);
            if (a.flag("help")) {
                out.print(HELP);
                return 0;
            }
            return switch (args[0]) {
                case "fleet" -> FleetCommand.run(a, out);
                case "load" -> LoadCommand.run(a, out);
                case "bench-sqlite" -> SqliteBench.run(a, out);
                case "bench-upload" -> UploadBench.run(a, out);
                case "bench-erp" -> ErpBench.run(a, out);
                case "erp-receiver" -> ErpReceiverCommand.run(a, out);
                default -> {
                    err.println("unknown command " + args[0] + "; see --help");
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("failed: " + e);
            return 1;
        }
    }
}
