package io.podsync.storage;

/** One version of a stop as its driver's device saw it ({@code viewJson}), and when it was written. */
public record StopVersionRow(
        String stopId, long version, String routeId, String status, String viewJson, long releasedAt) {}
