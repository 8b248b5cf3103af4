package io.podsync.storage;

/** A route as stored. {@code viewJson} is what devices get for it. */
public record RouteRow(
        String routeId,
        String driverId,
        String vehicleId,
        String serviceDate,
        String status,
        long version,
        String contentHash,
        long releasedAt,
        long updatedAt,
        String viewJson) {}
