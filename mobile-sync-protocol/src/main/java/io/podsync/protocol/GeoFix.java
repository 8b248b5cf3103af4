package io.podsync.protocol;

/** Where the device was when it captured an event, with the GPS accuracy radius in metres. */
public record GeoFix(Double lat, Double lon, Double accuracyMeters) {}
