package io.podsync.storage;

/** A token signing key (a private JWK). The newest unretired key signs; every unretired key verifies. */
public record SigningKeyRow(String kid, String jwkJson, long createdAt, Long retiredAt) {}
