package io.podsync.storage;

/**
 * A signed-in session of the operations console.
 *
 * @param sessionHash SHA-256 (hex) of the session id the browser holds; the id itself is never stored
 * @param clientId the ops API client that signed in
 * @param csrfToken the token every state-changing form of this session must carry
 */
public record ConsoleSessionRow(
        String sessionHash, String clientId, String csrfToken, long createdAt, long lastSeenAt) {}
