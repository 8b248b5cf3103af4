package io.podsync.storage;

/**
 * A server replica using the database.
 *
 * @param replicaId stable across restarts of the same replica (host and data directory)
 * @param artifactStore where the replica keeps evidence: {@code local} or the S3 endpoint, bucket and prefix
 * @param heartbeatAt when the replica last said it was alive (epoch millis)
 */
public record ReplicaRow(String replicaId, String artifactStore, long startedAt, long heartbeatAt) {}
