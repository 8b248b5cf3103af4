package io.podsync.protocol;

/** A bearer access token (an ES256 JWT) and its lifetime in seconds. */
public record TokenResponse(String accessToken, String tokenType, long expiresIn, String scope) {}
