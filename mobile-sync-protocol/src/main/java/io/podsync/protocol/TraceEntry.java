package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * One step of a trace. Every entry has a kind, a time and a one-line summary; the other fields are set where they
 * apply, and the ids link to the details (the stop's events, the exception, the outbox message, the artifact).
 *
 * @param at when it happened: for an event its corrected capture time (its receipt when it has none)
 * @param routeVersion the route version written or pulled
 * @param actor who did it: the API client that wrote a route version, the person who resolved an exception or acted on
 *     the outbox, the device that pushed an event or declared an upload
 * @param correlationId the correlation id of the request behind it (the ERP's own for a route release)
 * @param verdict an event's verdict
 * @param flags an event's flags
 * @param capturedAt an event's capture time by the device's clock
 * @param receivedAt when the server received an event
 * @param statusCode the ERP's HTTP status for a delivery attempt (0: no answer)
 * @param status the state of what the entry is about: route version status, upload status, exception resolution,
 *     outbox message status, or the action taken
 */
public record TraceEntry(
        TraceEntryKind kind,
        Instant at,
        String summary,
        String routeId,
        Long routeVersion,
        String stopId,
        String deviceId,
        Long seq,
        String idempotencyKey,
        Long exceptionId,
        Long outboxId,
        String messageId,
        String sha256,
        String actor,
        String correlationId,
        Verdict verdict,
        List<String> flags,
        Instant capturedAt,
        Instant receivedAt,
        Integer statusCode,
        String status) {}
