package io.podsync.storage;

/** The derived state of a stop. */
public record StopStateRow(String stopId, String status, String stateJson, long updatedAt) {}
