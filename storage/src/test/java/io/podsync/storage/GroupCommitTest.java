package io.podsync.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.storage.jdbc.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SQLite's writer runs the pieces of work waiting at the same time in one transaction, each in a savepoint: a piece
 * that fails is undone alone, and every other piece of its group is committed.
 */
class GroupCommitTest extends SqliteDatabaseTest {
    private static StopRow stop(String id) {
        return stop(id, "D-1", 1);
    }

    @Test
    void aFailingPieceIsUndoneAloneAndTheRestOfItsGroupIsCommitted() throws Exception {
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Set<Tx> transactions = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            // The first piece holds the writer, so that the others queue up and run together after it.
            Future<?> first = pool.submit(() -> db.write(tx -> {
                tx.routes().upsertStop(stop("S-first"));
                writerHeld.countDown();
                await(release);
                return null;
            }));
            assertTrue(writerHeld.await(10, TimeUnit.SECONDS));
            List<Future<?>> rest = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                rest.add(pool.submit(() -> db.write(tx -> {
                    transactions.add(tx);
                    tx.routes().upsertStop(stop("S-" + n));
                    if (n % 2 == 1) {
                        throw new IllegalStateException("piece " + n + " fails after writing");
                    }
                    return null;
                })));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (db.writesWaiting() < 20) { // the twenty queue up behind the first
                assertTrue(System.nanoTime() < deadline, "only " + db.writesWaiting() + " writes queued");
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < rest.size(); i++) {
                Future<?> f = rest.get(i);
                if (i % 2 == 1) {
                    Exception e = assertThrows(Exception.class, () -> f.get(10, TimeUnit.SECONDS));
                    assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
                } else {
                    f.get(10, TimeUnit.SECONDS);
                }
            }
        }
        List<String> ids = new ArrayList<>(List.of("S-first"));
        for (int i = 0; i < 20; i++) {
            ids.add("S-" + i);
        }
        Set<String> stored = db.read(tx -> tx.routes().findStops(ids)).keySet();
        Set<String> expected = new java.util.TreeSet<>(Set.of("S-first"));
        for (int i = 0; i < 20; i += 2) {
            expected.add("S-" + i);
        }
        assertEquals(expected, new java.util.TreeSet<>(stored));
        assertEquals(1, transactions.size(), "the twenty queued pieces ran in one transaction");
        // The writer goes on: the next piece commits as usual.
        db.write(tx -> {
            tx.routes().upsertStop(stop("S-after"));
            return null;
        });
        assertEquals(1, db.read(tx -> tx.routes().findStops(List.of("S-after"))).size());
    }

    @Test
    void aWriteWaitingLongerThanTheTimeoutFailsAndNeverRuns() throws Exception {
        db.close();
        db = Database.open(new DatabaseConfig(
                "jdbc:sqlite:" + dir.resolve("podsync.db").toAbsolutePath(),
                null,
                null,
                4,
                java.time.Duration.ofMillis(500),
                DatabaseConfig.DEFAULT_STATEMENT_TIMEOUT));
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> first = pool.submit(() -> db.write(tx -> {
                tx.routes().upsertStop(stop("S-held"));
                writerHeld.countDown();
                await(release);
                return null;
            }));
            assertTrue(writerHeld.await(10, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            StorageException e = assertThrows(
                    StorageException.class,
                    () -> db.write(tx -> {
                        tx.routes().upsertStop(stop("S-late"));
                        return null;
                    }));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(e.isTransient(), e.toString());
            assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
            assertTrue(waited >= 450 && waited < 3_000, "waited " + waited + " ms");
            // The piece that held the writer was told it may still commit, and it does once it ends.
            Exception held = assertThrows(Exception.class, () -> first.get(10, TimeUnit.SECONDS));
            assertTrue(held.getCause().getMessage().contains("may still commit"), held.toString());
            release.countDown();
        }
        // The writer skipped the abandoned piece: a caller told "nothing was written" must find nothing written.
        db.write(tx -> null);
        assertEquals(1, db.read(tx -> tx.routes().findStops(List.of("S-held"))).size());
        assertEquals(0, db.read(tx -> tx.routes().findStops(List.of("S-late"))).size());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
