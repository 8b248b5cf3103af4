package io.podsync.protocol;

import java.time.Instant;

/**
 * Ops replays an ERP endpoint's failed messages: every dead message, and every message still being retried after a
 * failed attempt, written at or after {@code since}.
 */
public record RecoverRequest(Instant since) {}
