package io.podsync.server.exceptions;

import io.podsync.protocol.ExceptionKind;

/**
 * The formats of an exception's subject, its de-duplication key and every finding key, in one place. A finding key is
 * unique for good (the same finding is never attached twice), so whoever clears a finding later rebuilds its key here.
 * The SLA queries take the prefixes ({@link #LATE}, {@link #UNDISPATCHED}, {@link #SILENT}) to skip what was found
 * before; the evidence query of the events repository spells {@code 'evidence:'} in its SQL (storage knows no server
 * type): keep the two in step.
 */
public final class FindingKeys {
    /** Prefix of the key of a stop's time window that ended with no arrival. */
    public static final String LATE = "late:";
    /** Prefix of the key of a route no device of its driver pulled in time. */
    public static final String UNDISPATCHED = "undispatched:";
    /** Prefix of the key of a device's silence since one last sync. */
    public static final String SILENT = "silent:";
    /** Prefix of the key of an event still waiting for its evidence. */
    public static final String EVIDENCE = "evidence:";
    /** Prefix of the key of an event flagged, or stored for a driver the stop was taken from. */
    public static final String EVENT = "event:";
    /** Prefix of the key of an outcome captured against a manifest that changed since. */
    public static final String MANIFEST = "manifest:";
    /** Prefix of the key of a correction sent to the ERP. */
    public static final String CORRECTED = "corrected:";

    private FindingKeys() {}

    /** The subject of an exception about a stop. */
    public static String stop(String stopId) {
        return "stop:" + stopId;
    }

    /** The subject of an exception about a route. */
    public static String route(String routeId) {
        return "route:" + routeId;
    }

    /** The subject of an exception about a device. */
    public static String device(String deviceId) {
        return "device:" + deviceId;
    }

    /** The key only the open exception of this subject and kind holds. */
    public static String dedupe(ExceptionKind kind, String subject) {
        return kind.wire() + ":" + subject;
    }

    /** An event of a device, for the kinds keyed by event ({@link #EVENT}, {@link #MANIFEST}, {@link #EVIDENCE}). */
    public static String event(String prefix, String deviceId, String idempotencyKey) {
        return prefix + deviceId + ":" + idempotencyKey;
    }

    /** The evidence_missing finding of an event: the one its evidence arriving clears. */
    public static String evidence(String deviceId, String idempotencyKey) {
        return event(EVIDENCE, deviceId, idempotencyKey);
    }

    /** A contradiction among the events of one attempt at a stop. */
    public static String contradiction(String stopId, int attempt, String code) {
        return stop(stopId) + ":attempt:" + attempt + ":" + code;
    }

    /** The correction with this message id. */
    public static String corrected(String messageId) {
        return CORRECTED + messageId;
    }

    /** A stop's time window ending with no arrival. */
    public static String late(String stopId, long windowEnd) {
        return LATE + stopId + ":" + windowEnd;
    }

    /** A route not dispatched to its driver in time. */
    public static String undispatched(String routeId, String driverId) {
        return UNDISPATCHED + routeId + ":" + driverId;
    }

    /** A device silent since its last sync at {@code lastSeenAt}. */
    public static String silent(String deviceId, long lastSeenAt) {
        return SILENT + deviceId + ":" + lastSeenAt;
    }

    /** The last sync a {@link #silent} key is about. */
    public static long silentSince(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf(':') + 1));
    }
}
