package io.podsync.protocol;

import java.util.List;

/**
 * A stop as released by the ERP. Stop ids are global: releasing a stop id in another route moves the stop there (and
 * fences the driver who had it).
 */
public record StopSpec(
        String stopId,
        Integer sequence,
        String address,
        GeoPoint location,
        Double geofenceRadiusMeters,
        TimeWindow timeWindow,
        ProofPolicy proofPolicy,
        List<OrderSpec> orders,
        Boolean cancelled) {
    public boolean isCancelled() {
        return Boolean.TRUE.equals(cancelled);
    }
}
