package io.podsync.server.ops;

import io.podsync.storage.Database;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Background chores: deletes the receipts of rejected events past their published retention, in small chunks so that it never holds the
 * SQLite writer for long. Every replica may run it; the deletes are idempotent.
 */
public final class Housekeeping implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Housekeeping.class.getName());
    private static final int CHUNK = 1000;

    private final Database db;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("podsync-housekeeping").factory());

    public Housekeeping(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public Housekeeping start() {
        scheduler.scheduleWithFixedDelay(this::runOnce, 1, 60, TimeUnit.MINUTES);
        return this;
    }

    /** One pass; returns how many receipts were deleted. */
    public int runOnce() {
        int total = 0;
        try {
            int n;
            do {
                long now = clock.millis();
                n = db.write(tx -> tx.events().purgeExpired(now, CHUNK));
                total += n;
            } while (n == CHUNK);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "housekeeping failed; will retry: " + e.getMessage());
        }
        return total;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
