package io.podsync.protocol;

/**
 * The answer to a release, a reassignment or a cancellation.
 *
 * @param changed false when the content was identical to the current version (nothing was written)
 */
public record RouteReleaseResult(String routeId, long version, boolean changed, String driverId, String status) {}
