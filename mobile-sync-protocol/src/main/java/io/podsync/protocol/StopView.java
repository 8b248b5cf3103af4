package io.podsync.protocol;

import java.util.List;

/** A stop as its driver's device sees it. {@code status} is {@code active} or {@code cancelled}. */
public record StopView(
        String stopId,
        String routeId,
        long version,
        int sequence,
        String address,
        GeoPoint location,
        Double geofenceRadiusMeters,
        TimeWindow timeWindow,
        ProofPolicy proofPolicy,
        List<OrderSpec> orders,
        String status) {}
