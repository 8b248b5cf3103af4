package io.podsync.simulator.fleet;

import java.net.URI;
import java.nio.file.Path;

/**
 * Everything a fleet run needs, typed and checked once, in three parts that change independently: where to connect,
 * how big the run is, and which faults to inject. Every random decision derives from {@code size.seed}.
 *
 * @param report write the report as JSON here (null: only the table)
 * @param workDir where the devices' SQLite files go
 */
public record FleetOptions(Connection connection, Size size, Faults faults, Path report, Path workDir) {

    /**
     * The server and the credentials the run uses.
     *
     * @param erpClient the ERP API client that releases routes and creates enrollment codes
     * @param opsClient the ops client that reads the exception queue (null secret: that check is skipped)
     * @param erpReceiverPort start the reference ERP receiver in-process on this port (0 a free one); null: none
     * @param webhookSecret the receiver's signing secret (whsec_...), required with the port
     */
    public record Connection(
            URI server,
            String erpClient,
            String erpSecret,
            String opsClient,
            String opsSecret,
            Integer erpReceiverPort,
            String webhookSecret) {}

    /**
     * @param devices drivers, one device and one route each
     * @param stops stops per route
     * @param steps simulated steps before the final "everyone online" phase
     * @param batch events per push
     */
    public record Size(int devices, int stops, int steps, long seed, int batch) {}

    /**
     * @param offlineProbability per step and online device, the chance it loses the network
     * @param maxOfflineSteps an offline period lasts 1 to this many steps
     * @param maxClockSkewSeconds each device's clock is off by a fixed random amount within plus or minus this
     */
    public record Faults(
            double offlineProbability,
            int maxOfflineSteps,
            double duplicateProbability,
            boolean reorder,
            double crashProbability,
            int maxClockSkewSeconds,
            double cutUploadProbability,
            int slowNetworkMs) {
        /** No faults at all. */
        public static final Faults NONE = new Faults(0, 5, 0, false, 0, 0, 0, 0);
    }

    public FleetOptions {
        if (connection.server() == null || connection.erpSecret() == null || workDir == null) {
            throw new IllegalArgumentException("server, ERP secret and work directory are required");
        }
        for (double p : new double[] {
            faults.offlineProbability(),
            faults.duplicateProbability(),
            faults.crashProbability(),
            faults.cutUploadProbability()
        }) {
            if (p < 0 || p > 1) {
                throw new IllegalArgumentException("probabilities must be between 0 and 1");
            }
        }
        if (size.devices() < 1
                || size.stops() < 1
                || size.steps() < 0
                || size.batch() < 1
                || size.batch() > 500
                || faults.maxOfflineSteps() < 1) {
            throw new IllegalArgumentException("devices, stops, batch (<= 500) and max offline steps must be >= 1");
        }
        if (connection.erpReceiverPort() != null && connection.webhookSecret() == null) {
            throw new IllegalArgumentException("--erp-receiver-port needs --webhook-secret");
        }
    }

    /** A quiet fleet with the given size, no faults: a starting point for {@code with...} in tests. */
    public static FleetOptions basic(URI server, String erpSecret, String opsSecret, Path workDir) {
        return new FleetOptions(
                new Connection(server, "erp", erpSecret, "ops", opsSecret, null, null),
                new Size(3, 4, 40, 7, 10),
                Faults.NONE,
                null,
                workDir);
    }

    public FleetOptions withSize(int devices, int stops, int steps, long seed) {
        return new FleetOptions(
                connection, new Size(devices, stops, steps, seed, size.batch()), faults, report, workDir);
    }

    public FleetOptions withFaults(
            double offline, double duplicates, boolean reorder, double crash, int skewSeconds, double cutUpload) {
        Faults f = new Faults(
                offline,
                faults.maxOfflineSteps(),
                duplicates,
                reorder,
                crash,
                skewSeconds,
                cutUpload,
                faults.slowNetworkMs());
        return new FleetOptions(connection, size, f, report, workDir);
    }

    public FleetOptions withReport(Path report) {
        return new FleetOptions(connection, size, faults, report, workDir);
    }

    // Flat accessors, so the fleet reads o.devices() rather than o.size().devices().

    public URI server() {
        return connection.server();
    }

    public String erpClient() {
        return connection.erpClient();
    }

    public String erpSecret() {
        return connection.erpSecret();
    }

    public String opsClient() {
        return connection.opsClient();
    }

    public String opsSecret() {
        return connection.opsSecret();
    }

    public Integer erpReceiverPort() {
        return connection.erpReceiverPort();
    }

    public String webhookSecret() {
        return connection.webhookSecret();
    }

    public int devices() {
        return size.devices();
    }

    public int stops() {
        return size.stops();
    }

    public int steps() {
        return size.steps();
    }

    public long seed() {
        return size.seed();
    }

    public int batch() {
        return size.batch();
    }

    public double offlineProbability() {
        return faults.offlineProbability();
    }

    public int maxOfflineSteps() {
        return faults.maxOfflineSteps();
    }

    public boolean reorder() {
        return faults.reorder();
    }

    public double crashProbability() {
        return faults.crashProbability();
    }

    public int maxClockSkewSeconds() {
        return faults.maxClockSkewSeconds();
    }

    Chaos chaos() {
        return new Chaos(
                faults.duplicateProbability(),
                faults.reorder(),
                faults.crashProbability(),
                faults.cutUploadProbability(),
                faults.slowNetworkMs(),
                size.batch());
    }
}
