package io.podsync.protocol;

/**
 * What a device gets when it enrolls. {@code deviceSecret} is shown once: the device keeps it in secure storage and
 * trades it for access tokens with {@code grantType=device_credentials}.
 */
public record DeviceCredentials(String deviceId, String driverId, String deviceSecret, TokenResponse token) {}
