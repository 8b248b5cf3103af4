package io.podsync.simulator.erp;

import java.time.Duration;

/**
 * How the receiver misbehaves, changeable while it runs (from a test or another thread): a real ERP has outages,
 * rate limits and slow days, and the sender's retries are only trustworthy if they have been watched against them.
 *
 * <p>Failures and hangs are counted against signed requests only, so a stray unsigned request cannot use them up.
 * A request may take one failure and one hang at the same time: it then waits and fails.
 */
public final class Behavior {
    private int failuresLeft;
    private int failStatus;
    private int hangsLeft;
    private Duration hang = Duration.ZERO;
    private Duration delay = Duration.ZERO;

    /** What one signed request does; a {@code failStatus} of 0 means "process it normally". */
    record Plan(int failStatus, Duration hold) {}

    Behavior() {}

    /**
     * The next {@code count} signed requests are answered with {@code status} and not recorded, as an ERP that is down
     * would. 503 and 429 carry {@code Retry-After: 1}; 410 tells a Standard Webhooks sender to stop for good.
     */
    public synchronized Behavior failNext(int count, int status) {
        if (count < 0 || status < 400 || status > 599) {
            throw new IllegalArgumentException("fail a count >= 0 of requests with a 4xx or 5xx status");
        }
        failuresLeft = count;
        failStatus = status;
        return this;
    }

    /**
     * The next {@code count} signed requests are processed (recorded) and then answered only after {@code hang}: the
     * ERP committed but the sender gave up waiting, the case that makes the sender retry something already done.
     */
    public synchronized Behavior hangNext(int count, Duration hang) {
        if (count < 0 || hang.isNegative()) {
            throw new IllegalArgumentException("hang a count >= 0 of requests for a duration >= 0");
        }
        hangsLeft = count;
        this.hang = hang;
        return this;
    }

    /** Every answer to a webhook request, accepted or not, is held back by {@code delay}. */
    public synchronized Behavior delayEach(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("the delay must not be negative");
        }
        this.delay = delay;
        return this;
    }

    /** Back to a well-behaved receiver. */
    public synchronized Behavior reset() {
        failuresLeft = 0;
        hangsLeft = 0;
        hang = Duration.ZERO;
        delay = Duration.ZERO;
        return this;
    }

    public synchronized int failuresLeft() {
        return failuresLeft;
    }

    public synchronized int hangsLeft() {
        return hangsLeft;
    }

    synchronized Duration delay() {
        return delay;
    }

    /** Takes what applies to the next signed request, in one step so two concurrent requests never share a failure. */
    synchronized Plan next() {
        int status = 0;
        if (failuresLeft > 0) {
            failuresLeft--;
            status = failStatus;
        }
        Duration hold = Duration.ZERO;
        if (hangsLeft > 0) {
            hangsLeft--;
            hold = hang;
        }
        return new Plan(status, hold);
    }
}
