package io.podsync.protocol;

/** Who took the goods. {@code ageVerified} is true when the driver checked an ID for the stop's minimum age. */
public record Recipient(String name, Boolean ageVerified) {}
