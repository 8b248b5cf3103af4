package io.podsync.protocol;

/** A device redeems an enrollment code. */
public record DeviceEnrollRequest(String enrollmentCode, String deviceName, String platform, String appVersion) {}
