package io.podsync.simulator.fleet;

/**
 * The faults a device injects into its own sync, and its push batch size.
 *
 * @param duplicateProbability per push, the chance to resend 1-3 already acknowledged events with it
 * @param reorder shuffle every push batch (the server must order by seq, not by arrival)
 * @param crashProbability per step, the chance the app is killed; half of that again per push, after the server
 *     answered and before the app recorded the answer
 * @param cutUploadProbability per evidence upload, the chance the network drops after one chunk
 * @param slowNetworkMs a pause before every request
 * @param batch events per push
 */
record Chaos(
        double duplicateProbability,
        boolean reorder,
        double crashProbability,
        double cutUploadProbability,
        int slowNetworkMs,
        int batch) {

    static final Chaos NONE = new Chaos(0, false, 0, 0, 0, 50);
}
