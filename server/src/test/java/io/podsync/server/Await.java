package io.podsync.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting in tests without fixed sleeps: {@link #until} returns as soon as what the server does in the background has
 * happened; {@link #nothingFor} watches a window in which something must not happen and fails the moment it does.
 */
final class Await {
    private static final Duration POLL = Duration.ofMillis(20);

    private Await() {}

    /** Polls until the condition holds; fails after 30 s naming what did not happen. */
    static void until(BooleanSupplier condition, String what) {
        until(condition, Duration.ofSeconds(30), what);
    }

    static void until(BooleanSupplier condition, Duration atMost, String what) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + atMost + " waiting for " + what);
            }
            pause();
        }
    }

    /**
     * Watches for {@code window}: fails as soon as {@code happened} holds (a second delivery, a message that should be
     * held), so a test that expects nothing more says so instead of sleeping and looking once.
     */
    static void nothingFor(Duration window, BooleanSupplier happened, String what) {
        long end = System.nanoTime() + window.toNanos();
        do {
            if (happened.getAsBoolean()) {
                throw new AssertionError("unexpected: " + what);
            }
            pause();
        } while (System.nanoTime() < end);
        if (happened.getAsBoolean()) {
            throw new AssertionError("unexpected: " + what);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
