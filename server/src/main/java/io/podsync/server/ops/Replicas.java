package io.podsync.server.ops;

import io.podsync.storage.ReplicaRow;
import io.podsync.storage.jdbc.Database;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The replicas on one database know about each other: each writes a heartbeat row every interval, naming where it
 * keeps evidence. A replica that keeps evidence on its own disk while other replicas use the same database would
 * lose proof between them (an artifact uploaded through one is missing at the others), so it is refused at start,
 * and its readiness turns red when another replica joins later. Replicas that name different S3 stores are refused
 * the same way. A replica silent for three intervals counts as gone (it was stopped, or killed).
 *
 * <p>A replica's id is its host name and data directory, so a replica restarted after a crash takes its own row back
 * instead of waiting for it to age.
 */
public final class Replicas implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Replicas.class.getName());

    private final Database db;
    private final Clock clock;
    private final String id;
    private final String store;
    private final Duration interval;
    private final long startedAt;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("podsync-heartbeat").factory());
    private volatile String problem;

    /**
     * @param store where this replica keeps evidence ({@code local}, or the S3 store's identity)
     */
    public Replicas(Database db, Clock clock, String id, String store, Duration interval) {
        this.db = db;
        this.clock = clock;
        this.id = id;
        this.store = store;
        this.interval = interval;
        this.startedAt = clock.millis();
    }

    /** This host's name and the data directory: stable across restarts, different for every replica. */
    public static String idFor(Path dataDir) {
        String host;
        try {
            host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException | RuntimeException e) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e2) {
                host = "unknown-host";
            }
        }
        return host + ":" + dataDir.toAbsolutePath().normalize();
    }

    /**
     * Joins the database's replicas, or refuses to: throws {@link IllegalStateException} naming the fix when this
     * replica's evidence store cannot work beside the live ones. Nothing is written when it refuses, so a refused
     * replica does not turn the others red. Then beats every interval.
     */
    public Replicas join() {
        String refusal = check(others());
        if (refusal != null) {
            throw new IllegalStateException(refusal);
        }
        beat();
        scheduler.scheduleWithFixedDelay(
                this::heartbeat, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Why this replica is not safe to serve now (for readiness), or {@code null}. */
    public String problem() {
        return problem;
    }

    private void heartbeat() {
        try {
            beat();
            String now = check(others());
            if (now != null && problem == null) {
                LOG.log(Level.ERROR, now);
            }
            problem = now;
        } catch (RuntimeException e) {
            // The database is down: readiness says so through its own check; the next beat tries again.
            LOG.log(Level.WARNING, "replica heartbeat failed; will retry: " + e.getMessage());
        }
    }

    private void beat() {
        long now = clock.millis();
        db.write(tx -> {
            tx.replicas().beat(new ReplicaRow(id, store, startedAt, now));
            return null;
        });
    }

    private List<ReplicaRow> others() {
        long since = clock.millis() - 3 * interval.toMillis();
        return db.read(tx -> tx.replicas().aliveSince(since)).stream()
                .filter(r -> !r.replicaId().equals(id))
                .toList();
    }

    /** Why this replica's store cannot work beside the others, naming the fix; {@code null} when it can. */
    String check(List<ReplicaRow> others) {
        if (others.isEmpty()) {
            return null;
        }
        List<String> ids = others.stream().map(ReplicaRow::replicaId).toList();
        if (store.equals("local")) {
            return "podsync.artifacts.store is local, but " + others.size() + " other replica(s) use this database "
                    + ids + ": evidence uploaded through one replica would be missing at the others. Set "
                    + "podsync.artifacts.store to s3 (with podsync.artifacts.s3.*) on every replica, or run one replica.";
        }
        for (ReplicaRow r : others) {
            if (!r.artifactStore().equals("local") && !r.artifactStore().equals(store)) {
                return "replica " + r.replicaId() + " keeps evidence in " + r.artifactStore() + ", this one in " + store
                        + ": give every replica the same podsync.artifacts.s3.endpoint, bucket and prefix.";
            }
        }
        return null;
    }

    /** Stops beating and removes this replica's row, so the others stop counting it at once. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            db.write(tx -> {
                tx.replicas().remove(id);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "replica row not removed (it ages out): " + e.getMessage());
        }
    }
}
