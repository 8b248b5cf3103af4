package io.podsync.simulator.fleet;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.Verdict;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The harness's own record of what every device captured and what happened to the fleet. It lives outside the
 * devices, so it survives their crashes: the verdict compares the server against this, not against the devices' own
 * (possibly buggy) outboxes.
 */
final class Ledger {
    /** One captured event, with when it was captured and when the device first saw it applied. */
    static final class Entry {
        final int device;
        final CapturedEvent event;
        final List<Artifact> evidence;
        final int capturedStep;
        final long capturedNanos;
        volatile int appliedStep = -1;
        volatile long appliedNanos;

        Entry(int device, CapturedEvent event, List<Artifact> evidence, int step) {
            this.device = device;
            this.event = event;
            this.evidence = evidence;
            this.capturedStep = step;
            this.capturedNanos = System.nanoTime();
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final List<String> problems = new ArrayList<>();
    final AtomicLong pushes = new AtomicLong();
    final AtomicLong eventsPushed = new AtomicLong();
    final AtomicLong duplicatesSent = new AtomicLong();
    final AtomicLong crashes = new AtomicLong();
    final AtomicLong offlinePeriods = new AtomicLong();
    final AtomicLong uploads = new AtomicLong();
    final AtomicLong uploadsCut = new AtomicLong();
    final AtomicLong uploadsResumed = new AtomicLong();
    final AtomicLong resyncs = new AtomicLong();
    final AtomicLong networkFailures = new AtomicLong();
    final AtomicLong pulls = new AtomicLong();

    void captured(int device, CapturedEvent e, List<Artifact> evidence, int step) {
        entries.put(e.idempotencyKey(), new Entry(device, e, evidence, step));
    }

    /** A verdict the device learned (push answer or pull); the first {@code applied} fixes the sync latency. */
    void verdict(String key, Verdict v, int step) {
        Entry e = entries.get(key);
        if (e != null && v == Verdict.APPLIED && e.appliedStep < 0) {
            e.appliedNanos = System.nanoTime();
            e.appliedStep = step;
        }
    }

    /** Something a device saw that a correct server never does (a conflict, a refused request). */
    synchronized void problem(String what) {
        if (problems.size() < 100) {
            problems.add(what);
        }
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    Entry entry(String key) {
        return entries.get(key);
    }

    /** Every evidence artifact captured, by hash. */
    Map<String, Artifact> artifacts() {
        Map<String, Artifact> out = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            e.evidence.forEach(a -> out.put(a.sha256(), a));
        }
        return out;
    }
}
