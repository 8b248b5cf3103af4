package io.podsync.simulator;

import java.util.Arrays;

/** Latency samples in microseconds, with percentiles. Thread-safe. */
final class Latencies {
    private long[] samples = new long[1024];
    private int size;

    synchronized void add(long micros) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = micros;
    }

    synchronized int count() {
        return size;
    }

    /** The p-th percentile (0-100) in milliseconds. */
    synchronized double percentileMillis(double p) {
        if (size == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * size) - 1;
        return sorted[Math.max(0, Math.min(size - 1, idx))] / 1000.0;
    }
}
