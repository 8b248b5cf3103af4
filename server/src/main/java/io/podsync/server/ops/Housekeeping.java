package io.podsync.server.ops;

import io.podsync.server.evidence.UploadProcessor;
import io.podsync.server.exceptions.ExceptionQueue;
import io.podsync.server.sync.StopStates;
import io.podsync.storage.EventRow;
import io.podsync.storage.jdbc.Database;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Background chores, each idempotent so every replica may run them: deletes the receipts of rejected events past
 * their retention, sweeps abandoned uploads (rows and staged chunks), and opens an exception for each event that has
 * waited too long for its evidence. Works in small chunks so it never holds the SQLite writer for long.
 */
public final class Housekeeping implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Housekeeping.class.getName());
    private static final int CHUNK = 1000;

    private final Database db;
    private final Clock clock;
    private final UploadProcessor uploads;
    private final StopStates states;
    private final Duration evidenceMissingAfter;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("podsync-housekeeping").factory());

    public Housekeeping(
            Database db, Clock clock, UploadProcessor uploads, StopStates states, Duration evidenceMissingAfter) {
        this.db = db;
        this.clock = clock;
        this.uploads = uploads;
        this.states = states;
        this.evidenceMissingAfter = evidenceMissingAfter;
    }

    public Housekeeping start() {
        scheduler.scheduleWithFixedDelay(this::runAll, 1, 5, TimeUnit.MINUTES);
        return this;
    }

    private void runAll() {
        try {
            purgeReceipts();
            uploads.sweepAbandoned();
            flagMissingEvidence();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "housekeeping failed; will retry: " + e.getMessage());
        }
    }

    /** Deletes expired receipts of rejected events; returns how many. */
    public int purgeReceipts() {
        int total = 0;
        int n;
        do {
            long now = clock.millis();
            n = db.write(tx -> tx.events().purgeExpired(now, CHUNK));
            total += n;
        } while (n == CHUNK);
        return total;
    }

    /** Opens an exception for every event still waiting for evidence after the configured time; returns how many. */
    public int flagMissingEvidence() {
        int total = 0;
        int n;
        do {
            n = flagMissingEvidenceChunk();
            total += n;
        } while (n == CHUNK);
        return total;
    }

    private int flagMissingEvidenceChunk() {
        long now = clock.millis();
        long before = now - evidenceMissingAfter.toMillis();
        return db.write(tx -> {
            List<ExceptionQueue.Finding> found = new ArrayList<>();
            for (EventRow e : tx.events().awaitingEvidenceBefore(before, CHUNK)) {
                List<String> missing = tx.evidence()
                        .missingFor(e.deviceId(), List.of(e.idempotencyKey()))
                        .getOrDefault(e.idempotencyKey(), List.of());
                found.add(ExceptionQueue.Finding.evidenceMissing(e, missing, now));
            }
            states.exceptions().open(tx, found);
            return found.size();
        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
