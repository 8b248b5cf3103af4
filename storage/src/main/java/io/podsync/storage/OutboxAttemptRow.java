package io.podsync.storage;

/** One delivery attempt of an outbox message. {@code statusCode} 0: no answer. */
public record OutboxAttemptRow(
        long outboxId, int attempt, long at, int statusCode, String error, long durationMillis) {}
