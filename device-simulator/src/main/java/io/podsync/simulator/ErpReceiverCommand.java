package io.podsync.simulator;

import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the reference ERP receiver in the foreground and prints one line per delivery, so a tester can point a podsync
 * server at it and watch the confirmations arrive (and, with {@code --fail-first}, watch the server retry).
 */
final class ErpReceiverCommand {
    static final String HELP = """
            erp-receiver: run the reference ERP webhook receiver and print each delivery as it arrives

              --port N            port on 127.0.0.1; 0 picks a free one (required)
              --secret S          webhook signing secret, whsec_<base64> (required); repeat it during a rotation,
                                  e.g. --secret whsec_$(openssl rand -base64 32)
              --fail-first N      fail the first N signed deliveries instead of recording them (default 0)
              --fail-status S     the status of those failures, 400-599 (default 503; 503 and 429 add Retry-After: 1)
            """;

    private ErpReceiverCommand() {}

    /** Runs until the process is killed (or the thread interrupted, which the tests do). */
    static int run(Args a, PrintStream out) throws Exception {
        int port = a.integer("port", -1, 0, 65535);
        if (port < 0) {
            throw new IllegalArgumentException("--port is required (0 picks a free port)");
        }
        List<String> secrets = a.strings("secret");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("--secret is required");
        }
        int failFirst = a.integer("fail-first", 0, 0, Integer.MAX_VALUE);
        int failStatus = a.integer("fail-status", 503, 400, 599);
        a.rejectUnknown();
        try (ErpReceiver receiver = ErpReceiver.start(port, secrets, Clock.systemUTC(), new Printer(out))) {
            receiver.behavior().failNext(failFirst, failStatus);
            out.println("listening on " + receiver.url());
            out.flush();
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Deliveries as {@code time type subject webhook-id}; everything else prefixed with what happened. */
    private record Printer(PrintStream out) implements ErpReceiver.Listener {
        @Override
        public void delivered(Delivery d) {
            out.println(d.receivedAt() + " " + d.type() + " " + (d.subject() == null ? "-" : d.subject()) + " "
                    + d.webhookId());
            out.flush();
        }

        @Override
        public void duplicate(String webhookId, int attemptsSeen) {
            out.println("duplicate " + webhookId + " (attempt " + attemptsSeen + "), answered 200, not recorded");
            out.flush();
        }

        @Override
        public void simulatedFailure(String webhookId, int status) {
            out.println("failed " + webhookId + " with " + status + " on purpose");
            out.flush();
        }

        @Override
        public void rejected(int status, String reason) {
            out.println("rejected " + status + " " + reason);
            out.flush();
        }
    }
}
