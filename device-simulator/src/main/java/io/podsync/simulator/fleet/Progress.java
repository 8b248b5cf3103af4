package io.podsync.simulator.fleet;

import java.io.PrintStream;

/** Tells a watching tester how far the run is: a redrawn bar on a terminal, plain lines in a log or CI. */
public interface Progress {
    void update(String phase, int done, int total);

    default void finish() {}

    Progress NONE = (phase, done, total) -> {};

    /** A bar for an interactive terminal ({@code System.console() != null}), else a line every tenth of the way. */
    static Progress forStream(PrintStream out, boolean terminal) {
        if (terminal) {
            return new Progress() {
                @Override
                public void update(String phase, int done, int total) {
                    int width = 30;
                    int filled = total == 0 ? width : done * width / total;
                    out.printf(
                            "\r%-10s [%s%s] %d/%d", phase, "#".repeat(filled), " ".repeat(width - filled), done, total);
                    out.flush();
                }

                @Override
                public void finish() {
                    out.println();
                }
            };
        }
        return (phase, done, total) -> {
            int tenth = Math.max(1, total / 10);
            if (done == total || done % tenth == 0) {
                out.printf("%s %d/%d%n", phase, done, total);
            }
        };
    }
}
