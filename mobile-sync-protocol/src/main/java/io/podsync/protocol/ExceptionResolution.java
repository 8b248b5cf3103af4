package io.podsync.protocol;

/**
 * Ops closes an exception.
 *
 * @param resolution {@code accepted} (the event stands as captured), {@code dismissed} (no action) or
 *     {@code corrected} (fixed elsewhere, e.g. in the ERP)
 * @param stopVersion for a {@code manifest_changed} exception accepted or dismissed: the stop version (one of the
 *     exception's {@code manifests}) the outcome is booked against in the ERP (since 1.1)
 */
public record ExceptionResolution(String resolution, String note, Long stopVersion) {
    public ExceptionResolution(String resolution, String note) {
        this(resolution, note, null);
    }
}
