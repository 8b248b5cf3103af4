package io.podsync.protocol;

/**
 * Ops closes an exception.
 *
 * @param resolution {@code accepted} (the event stands as captured), {@code dismissed} (no action) or
 *     {@code corrected} (fixed elsewhere, e.g. in the ERP)
 */
public record ExceptionResolution(String resolution, String note) {}
