package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What operations read: lists of routes and devices, a stop's events. Every list is paged by key ({@code after}: the
 * last id of the previous page) and served by an index.
 */
public interface OpsRepository {
    /** A route without its JSON. */
    record RouteSummary(
            String routeId,
            String driverId,
            String vehicleId,
            String serviceDate,
            String status,
            long version,
            long releasedAt,
            long updatedAt) {}

    /** A device with what operations want to know of it. */
    record DeviceSummary(
            DeviceRow device,
            String protocolVersion,
            String lastError,
            Long lastErrorAt,
            int evidenceMissing,
            String revokedBy,
            Long revokedAt) {}

    /** Undelivered outbox messages of one endpoint and status: how many, and when the oldest was written. */
    record OutboxBacklog(String endpoint, String status, long count, long oldestCreatedAt) {}

    /** Open exceptions by kind. */
    Map<String, Long> openExceptionsByKind();

    /** Outbox messages not delivered ({@code pending}, {@code held}, {@code dead}) by endpoint and status. */
    List<OutboxBacklog> outboxBacklog();

    /** When this version of the route was written ({@code route_versions}); empty for a version never kept. */
    Optional<Long> versionReleasedAt(String routeId, long version);

    /** When a device of this driver first pulled any version of the route: its dispatch; empty when none did. */
    Optional<Long> firstDispatch(String routeId, String driverId);

    /** Whether every artifact this event references is stored. */
    boolean evidenceStored(String deviceId, String idempotencyKey);

    /** Active devices that have not synced since {@code before} (or never, and enrolled before it). */
    long devicesSilentSince(long before);

    /**
     * Links missing from traces as a whole (the trace completeness of every order in flight): events waiting for
     * evidence, and active route versions no device of their driver has pulled.
     */
    record MissingLinks(long artifactMissing, long notDispatched) {}

    MissingLinks missingLinks();

    /** One measured latency: when it ended and when what it measures began (epoch ms; null when not known). */
    record Latency(long endedAt, Long startedAt) {}

    /**
     * Order to dispatch, by dispatch in {@code [from, to)}: each route version's first pull by a device of the pulling
     * driver, and the version's release. Newest first, at most {@code limit}.
     */
    List<Latency> dispatchLatencies(long from, long to, int limit);

    /**
     * Dispatch to confirmation, by first confirmation in {@code [from, to)}: each stop's first confirmation to the
     * ERP, and the first pull of its route by a device of the outcome's driver (null when no such device pulled
     * it). Newest first, at most {@code limit}.
     */
    List<Latency> confirmationLatencies(long from, long to, int limit);

    /** An outbox message the ERP acknowledged, with its body (which says when its outcome was captured). */
    record Acknowledged(long deliveredAt, String payloadJson) {}

    /** Messages of these types the ERP acknowledged in {@code [from, to)}, newest first, at most {@code limit}. */
    List<Acknowledged> acknowledged(Collection<String> types, long from, long to, int limit);

    /** Routes by id, filtered by any of service date, driver and status (null: any). */
    List<RouteSummary> routes(String serviceDate, String driverId, String status, String after, int limit);

    /** For each route, its active stops by stop state ({@code pending} for a stop with none yet). */
    Map<String, Map<String, Integer>> stopProgress(Collection<String> routeIds);

    /** Devices by id, filtered by driver and status (null: any). */
    List<DeviceSummary> devices(String driverId, String status, String after, int limit);

    /** Where a page of a stop's events ends: its last event's receipt time, device and seq. */
    record EventCursor(long receivedAt, String deviceId, long seq) {}

    /**
     * A stop's events in the order the server received them (then by device and seq), after {@code after} (null: from
     * the first).
     */
    List<EventRow> eventsOfStop(String stopId, EventCursor after, int limit);
}
