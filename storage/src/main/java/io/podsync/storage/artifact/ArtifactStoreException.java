package io.podsync.storage.artifact;

/** An artifact store operation failed. */
public final class ArtifactStoreException extends RuntimeException {
    private final boolean transientFailure;
    private final boolean notFound;

    public ArtifactStoreException(String message, Throwable cause, boolean transientFailure, boolean notFound) {
        super(message, cause);
        this.transientFailure = transientFailure;
        this.notFound = notFound;
    }

    /** The store is unreachable or failing: the same call may work later. */
    public boolean isTransient() {
        return transientFailure;
    }

    /** The object does not exist. */
    public boolean isNotFound() {
        return notFound;
    }
}
