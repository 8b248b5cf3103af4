package io.podsync.server.sync;

import io.podsync.server.exceptions.ExceptionQueue;

/**
 * The old name of {@link ExceptionQueue}: {@code Exceptions.Finding} here is {@link ExceptionQueue.Finding}. Kept
 * only while the push pipeline still says {@code Exceptions.Finding}; new code uses the exceptions package.
 *
 * @deprecated use {@link ExceptionQueue}
 */
@Deprecated
final class Exceptions extends ExceptionQueue {
    private Exceptions() {
        super(kind -> {});
    }
}
