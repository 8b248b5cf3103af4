package io.podsync.protocol;

/**
 * A missing link of a trace, with the ids of what it is about.
 *
 * @param routeVersion for {@code not_dispatched}: the version never pulled
 */
public record TraceGap(
        TraceGapKind kind,
        String summary,
        String routeId,
        Long routeVersion,
        String stopId,
        String deviceId,
        String idempotencyKey,
        String sha256,
        Long exceptionId,
        Long outboxId) {}
