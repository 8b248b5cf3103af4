package io.podsync.protocol.client;

import io.podsync.protocol.Problem;

/**
 * A call failed: either the server answered with a problem document ({@link #problem()} set), or the network did
 * ({@code status} 0).
 */
public final class PodsyncClientException extends RuntimeException {
    private final int status;
    private final Problem problem;

    public PodsyncClientException(int status, Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.problem = problem;
    }

    /** HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }

    /** The problem document, or null. */
    public Problem problem() {
        return problem;
    }

    /** The problem's stable code, or null. */
    public String code() {
        return problem == null ? null : problem.code();
    }

    /** True when sending the same request again later may succeed: no answer, 429 or 5xx. */
    public boolean isRetryable() {
        return status == 0 || status == 429 || status >= 500;
    }

    /** True when the server says the pull cursor must be dropped and the device must pull from scratch. */
    public boolean isResyncRequired() {
        return status == 410 && ("cursor_invalid".equals(code()) || "cursor_expired".equals(code()));
    }
}
