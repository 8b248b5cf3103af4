package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;

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

    /** Routes by id, filtered by any of service date, driver and status (null: any). */
    List<RouteSummary> routes(String serviceDate, String driverId, String status, String after, int limit);

    /** For each route, its active stops by stop state ({@code pending} for a stop with none yet). */
    Map<String, Map<String, Integer>> stopProgress(Collection<String> routeIds);

    /** Devices by id, filtered by driver and status (null: any). */
    List<DeviceSummary> devices(String driverId, String status, String after, int limit);

    /**
     * A stop's events in the order the server received them (then by device and seq); {@code after} is the last
     * one's {@code (receivedAt, deviceId, seq)}, or null for the first page.
     */
    List<EventRow> eventsOfStop(String stopId, EventRow after, int limit);
}
