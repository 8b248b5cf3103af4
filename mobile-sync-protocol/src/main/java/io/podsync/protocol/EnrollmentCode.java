package io.podsync.protocol;

import java.time.Instant;

/** A one-time code to type or scan into the driver app; it expires and works once. */
public record EnrollmentCode(String code, String driverId, Instant expiresAt) {}
