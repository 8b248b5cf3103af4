package io.podsync.protocol;

import java.time.LocalDate;
import java.util.List;

/** A route as its driver's device sees it. */
public record RouteView(
        String routeId,
        long version,
        String driverId,
        String vehicleId,
        LocalDate serviceDate,
        String status,
        List<String> stopIds) {}
