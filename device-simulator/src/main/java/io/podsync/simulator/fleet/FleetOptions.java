package io.podsync.simulator.fleet;

import java.net.URI;
import java.nio.file.Path;

/**
 * Everything a fleet run needs, typed and checked once. Every random decision derives from {@code seed}.
 *
 * @param server the podsync server
 * @param erpClient, erpSecret the ERP API client that releases routes and creates enrollment codes
 * @param opsClient, opsSecret the ops client that reads the exception queue (null secret: that check is skipped)
 * @param devices drivers, one device and one route each
 * @param stops stops per route
 * @param steps simulated steps before the final "everyone online" phase
 * @param offlineProbability per step and online device, the chance it loses the network
 * @param maxOfflineSteps an offline period lasts 1 to this many steps
 * @param maxClockSkewSeconds each device's clock is off by a fixed random amount within plus or minus this
 * @param erpReceiverPort start the reference ERP receiver in-process on this port (0 a free one); null: none
 * @param webhookSecret the receiver's signing secret (whsec_...), required with the port
 * @param report write the report as JSON here (null: only the table)
 * @param workDir where the devices' SQLite files go
 */
public record FleetOptions(
        URI server,
        String erpClient,
        String erpSecret,
        String opsClient,
        String opsSecret,
        int devices,
        int stops,
        int steps,
        long seed,
        double offlineProbability,
        int maxOfflineSteps,
        double duplicateProbability,
        boolean reorder,
        double crashProbability,
        int maxClockSkewSeconds,
        double cutUploadProbability,
        int slowNetworkMs,
        int batch,
        Integer erpReceiverPort,
        String webhookSecret,
        Path report,
        Path workDir) {

    public FleetOptions {
        if (server == null || erpSecret == null || workDir == null) {
            throw new IllegalArgumentException("server, ERP secret and work directory are required");
        }
        for (double p :
                new double[] {offlineProbability, duplicateProbability, crashProbability, cutUploadProbability}) {
            if (p < 0 || p > 1) {
                throw new IllegalArgumentException("probabilities must be between 0 and 1");
            }
        }
        if (devices < 1 || stops < 1 || steps < 0 || batch < 1 || batch > 500 || maxOfflineSteps < 1) {
            throw new IllegalArgumentException("devices, stops, batch (<= 500) and max offline steps must be >= 1");
        }
        if (erpReceiverPort != null && webhookSecret == null) {
            throw new IllegalArgumentException("--erp-receiver-port needs --webhook-secret");
        }
    }

    /** A quiet fleet with the given size, no faults: a starting point for {@code with...} in tests. */
    public static FleetOptions basic(URI server, String erpSecret, String opsSecret, Path workDir) {
        return new FleetOptions(
                server, "erp", erpSecret, "ops", opsSecret, 3, 4, 40, 7, 0, 5, 0, false, 0, 0, 0, 0, 10, null, null,
                null, workDir);
    }

    public FleetOptions withSize(int devices, int stops, int steps, long seed) {
        return new FleetOptions(
                server,
                erpClient,
                erpSecret,
                opsClient,
                opsSecret,
                devices,
                stops,
                steps,
                seed,
                offlineProbability,
                maxOfflineSteps,
                duplicateProbability,
                reorder,
                crashProbability,
                maxClockSkewSeconds,
                cutUploadProbability,
                slowNetworkMs,
                batch,
                erpReceiverPort,
                webhookSecret,
                report,
                workDir);
    }

    public FleetOptions withFaults(
            double offline, double duplicates, boolean reorder, double crash, int skewSeconds, double cutUpload) {
        return new FleetOptions(
                server,
                erpClient,
                erpSecret,
                opsClient,
                opsSecret,
                devices,
                stops,
                steps,
                seed,
                offline,
                maxOfflineSteps,
                duplicates,
                reorder,
                crash,
                skewSeconds,
                cutUpload,
                slowNetworkMs,
                batch,
                erpReceiverPort,
                webhookSecret,
                report,
                workDir);
    }

    public FleetOptions withReport(Path report) {
        return new FleetOptions(
                server,
                erpClient,
                erpSecret,
                opsClient,
                opsSecret,
                devices,
                stops,
                steps,
                seed,
                offlineProbability,
                maxOfflineSteps,
                duplicateProbability,
                reorder,
                crashProbability,
                maxClockSkewSeconds,
                cutUploadProbability,
                slowNetworkMs,
                batch,
                erpReceiverPort,
                webhookSecret,
                report,
                workDir);
    }

    Chaos chaos() {
        return new Chaos(duplicateProbability, reorder, crashProbability, cutUploadProbability, slowNetworkMs, batch);
    }
}
