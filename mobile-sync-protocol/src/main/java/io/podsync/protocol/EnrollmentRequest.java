package io.podsync.protocol;

/** ERP/ops asks for a one-time enrollment code that binds the next device to a driver. */
public record EnrollmentRequest(String driverId) {}
