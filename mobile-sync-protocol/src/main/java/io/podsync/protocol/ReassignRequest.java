package io.podsync.protocol;

/** Moves a whole route to another driver (and optionally vehicle). */
public record ReassignRequest(String driverId, String vehicleId) {}
