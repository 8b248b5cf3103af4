package io.podsync.storage;

/**
 * A route as stored. {@code viewJson} is what devices get for it; {@code releaseJson} is the release it came from, kept
 * so a reassignment can re-release the same content to another driver. {@code baseUrl} is how the ERP reached the
 * server when it last released, cancelled or reassigned the route ({@code scheme://host[:port]}), or null.
 */
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
        String viewJson,
        String releaseJson,
        String baseUrl) {}
