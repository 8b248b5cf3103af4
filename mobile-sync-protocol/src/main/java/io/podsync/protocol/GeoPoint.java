package io.podsync.protocol;

/** A WGS84 position in decimal degrees. */
public record GeoPoint(Double lat, Double lon) {}
