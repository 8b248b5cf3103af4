package io.podsync.protocol;

import java.time.LocalDate;
import java.util.List;

/**
 * The whole manifest of a route, as ERP/dispatch releases it with {@code PUT /v1/routes/{routeId}}. Releasing the same
 * content again changes nothing; any other content becomes the next version. Stops left out of a new version are
 * removed (they become tombstones for the device).
 */
public record RouteRelease(String driverId, String vehicleId, LocalDate serviceDate, List<StopSpec> stops) {}
