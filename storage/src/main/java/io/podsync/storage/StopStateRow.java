package io.podsync.storage;

/**
 * The derived state of a stop. It is also the stop's entry in its driver's change feed: {@code audience} is who it was
 * published to (null only for a state migrated without one); its sequence number is assigned on write.
 */
public record StopStateRow(String stopId, String audience, String status, String stateJson, long updatedAt) {}
