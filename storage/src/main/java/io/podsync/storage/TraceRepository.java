package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the trace of an order reads: which stops and routes a key leads to, and everything recorded about them. Every
 * query is served by an index (TraceQueryPlanTest checks the plans), and every list is bounded by {@code limit}, earliest
 * first, so that a caller can merge them and still know what it cut.
 */
public interface TraceRepository {
    /** One version of a route as written ({@code route_versions}): who wrote it, with which correlation id. */
    record RouteVersion(
            String routeId,
            long version,
            String driverId,
            String status,
            long releasedAt,
            String releasedBy,
            String correlationId) {}

    /** The first pull of a route version by one device. */
    record RoutePull(String deviceId, String routeId, long version, String driverId, long pulledAt) {}

    /** Something a person did to the ERP outbox. {@code action}: replay, replay_dead, recover or enable. */
    record OpsAction(
            long actionId,
            String action,
            String actor,
            long at,
            Long outboxId,
            String endpoint,
            Long since,
            int affected) {}

    /** The stops holding a line of this ERP order. */
    Set<String> stopsOfOrder(String orderId, int limit);

    /** The stops of a route (all, cancelled ones too). */
    Set<String> stopsOfRoute(String routeId, int limit);

    /** Each stop's route; a stop never released is left out. */
    Map<String, String> routesOfStops(Collection<String> stopIds);

    /** The routes written by the request with this correlation id. */
    Set<String> routesOfCorrelation(String correlationId, int limit);

    /** The stops and routes of the ERP messages caused by the request with this correlation id ({@code stop -> route}). */
    Map<String, String> messagesOfCorrelation(String correlationId, int limit);

    /** The stops of the events with this idempotency key (from any device). */
    Set<String> stopsOfEventKey(String idempotencyKey, int limit);

    /** The stops of the events that reference this artifact. */
    Set<String> stopsOfArtifact(String sha256, int limit);

    /** Every version of these routes, earliest first. */
    List<RouteVersion> routeVersions(Collection<String> routeIds, int limit);

    /** The first pull of each version of these routes by each device, earliest first. */
    List<RoutePull> routePulls(Collection<String> routeIds, int limit);

    /** The events of these stops, by receipt. */
    List<EventRow> events(Collection<String> stopIds, int limit);

    /** The artifacts these events reference (the events of these stops). */
    List<EvidenceLinkRow> evidenceOfStops(Collection<String> stopIds, int limit);

    /** The stored artifacts among these hashes. */
    List<ArtifactRow> artifacts(Collection<String> sha256s);

    /** The uploads declared for these hashes, earliest first. */
    List<UploadRow> uploads(Collection<String> sha256s, int limit);

    /** The exceptions about these stops, and those about these routes as a whole, oldest first. */
    List<ExceptionRow> exceptions(Collection<String> stopIds, Collection<String> routeIds, int limit);

    /**
     * The ERP messages about these stops ({@code stop -> route}, as {@link #routesOfStops} gives them), and those about
     * these routes as a whole, oldest first.
     */
    List<OutboxRow> outbox(Map<String, String> routeOfStop, Collection<String> routeIds, int limit);

    /** Every delivery attempt of these messages, earliest first. */
    List<OutboxAttemptRow> attempts(Collection<Long> outboxIds, int limit);

    /** What people did to these messages, and to these endpoints since {@code since}, earliest first. */
    List<OpsAction> actions(Collection<Long> outboxIds, Collection<String> endpoints, long since, int limit);

    /** Records what a person did to the outbox. */
    void recordAction(String action, String actor, long at, Long outboxId, String endpoint, Long since, int affected);
}
