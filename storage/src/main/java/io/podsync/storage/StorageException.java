package io.podsync.storage;

/** A database failure: technical, usually retryable by the caller's caller. */
public class StorageException extends RuntimeException {
    private final boolean transientFailure;

    public StorageException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** True when trying again later may succeed (lock timeout, connection lost, serialization failure). */
    public boolean isTransient() {
        return transientFailure;
    }
}
