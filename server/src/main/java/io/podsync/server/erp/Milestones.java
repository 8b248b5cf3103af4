package io.podsync.server.erp;

import io.podsync.protocol.ErpEvent;
import io.podsync.protocol.ErpEventType;
import io.podsync.protocol.EventType;
import io.podsync.protocol.Milestone;
import io.podsync.protocol.RouteView;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.TimeWindow;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.exceptions.ExceptionQueue;
import io.podsync.server.sync.MilestoneListener;
import io.podsync.server.sync.StopStatus;
import io.podsync.storage.ConfirmationRow;
import io.podsync.storage.EventRow;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.RouteRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopStateRow;
import io.podsync.storage.Tx;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The milestone stream: route released, amended, cancelled, dispatched and completed; stop arrived, departed and late;
 * exception opened and resolved. Each goes through the outbox like a proof of delivery (signed, retried, in order,
 * dead letters, replay), to the endpoints subscribed to its type only, and nothing is written (or read) for a type no
 * endpoint subscribes to. A milestone is not gated by evidence or by exceptions, and it never delays a proof of
 * delivery: milestones of a stop keep their own order, in a partition of their own ({@code m:stop:<id>}).
 */
public final class Milestones implements MilestoneListener, ExceptionQueue.Listener {
    private final OutboxWriter outbox;

    Milestones(OutboxWriter outbox) {
        this.outbox = outbox;
    }

    @Override
    public void eventsSeen(Tx tx, List<Seen> events, long now) {
        for (Seen s : events) {
            EventRow e = s.event();
            ErpEventType type = EventType.valueOf(e.type()) == EventType.ARRIVED
                    ? ErpEventType.STOP_ARRIVED
                    : ErpEventType.STOP_DEPARTED;
            if (!outbox.wants(type)) {
                continue;
            }
            Milestone data = Milestone.EMPTY
                    .route(e.routeId(), null, e.driverId())
                    .stop(e.stopId(), e.stopVersion())
                    .event(
                            e.deviceId(),
                            e.attempt(),
                            Instant.ofEpochMilli(e.correctedAt()),
                            Instant.ofEpochMilli(e.capturedAt()),
                            s.location(),
                            s.odometerKm());
            // Once per stop and attempt: the first the server hears of, whichever phone reported it.
            String what = type == ErpEventType.STOP_ARRIVED ? "arrived" : "departed";
            emit(
                    tx,
                    type,
                    stopOf(e.stopId()),
                    "stop:" + e.stopId() + ":" + what + ":" + e.attempt(),
                    e.stopId(),
                    e.routeId(),
                    data,
                    e.correlationId(),
                    now);
        }
    }

    @Override
    public void routeChanged(Tx tx, RouteRow route, long now) {
        ErpEventType type = route.version() == 1
                ? ErpEventType.ROUTE_RELEASED
                : "cancelled".equals(route.status()) ? ErpEventType.ROUTE_CANCELLED : ErpEventType.ROUTE_AMENDED;
        if (!outbox.wants(type)) {
            return;
        }
        RouteView view = ProtocolJson.read(route.viewJson(), RouteView.class);
        Milestone data = Milestone.EMPTY
                .route(route.routeId(), route.version(), route.driverId())
                .plan(route.vehicleId(), view.serviceDate(), route.status(), view.stopIds())
                .at(Instant.ofEpochMilli(now));
        emit(
                tx,
                type,
                routeOf(route.routeId()),
                "route:" + route.routeId() + ":version:" + route.version(),
                "",
                route.routeId(),
                data,
                null,
                now);
    }

    @Override
    public void routeDispatched(Tx tx, String routeId, long version, String driverId, String deviceId, long now) {
        if (!outbox.wants(ErpEventType.ROUTE_DISPATCHED)) {
            return;
        }
        Milestone data = Milestone.EMPTY
                .route(routeId, version, driverId)
                .device(deviceId)
                .at(Instant.ofEpochMilli(now));
        emit(
                tx,
                ErpEventType.ROUTE_DISPATCHED,
                routeOf(routeId),
                "route:" + routeId + ":dispatched:" + version,
                "",
                routeId,
                data,
                null,
                now);
    }

    /** A stop's time window ended with no arrival. */
    public void stopLate(Tx tx, StopRow stop, TimeWindow window, long now) {
        if (!outbox.wants(ErpEventType.STOP_LATE)) {
            return;
        }
        Milestone data = Milestone.EMPTY
                .route(stop.routeId(), null, stop.driverId())
                .stop(stop.stopId(), stop.version())
                .window(window)
                .at(Instant.ofEpochMilli(now));
        emit(
                tx,
                ErpEventType.STOP_LATE,
                stopOf(stop.stopId()),
                "stop:" + stop.stopId() + ":late:" + window.end().toEpochMilli(),
                stop.stopId(),
                stop.routeId(),
                data,
                null,
                now);
    }

    @Override
    public void opened(Tx tx, ExceptionRow x, long now) {
        exception(tx, ErpEventType.EXCEPTION_OPENED, x, now);
    }

    @Override
    public void resolved(Tx tx, ExceptionRow x, long now) {
        exception(tx, ErpEventType.EXCEPTION_RESOLVED, x, now);
    }

    private void exception(Tx tx, ErpEventType type, ExceptionRow x, long now) {
        if (!outbox.wants(type)) {
            return;
        }
        Milestone data = Milestone.EMPTY
                .route(x.routeId(), null, x.driverId())
                .stop(x.stopId(), null)
                .device(x.deviceId())
                .exception(
                        x.exceptionId(),
                        x.kind(),
                        x.codes().isEmpty()
                                ? List.of()
                                : Arrays.asList(x.codes().split(",")),
                        x.resolution())
                .at(Instant.ofEpochMilli(now));
        String partition = x.stopId() != null
                ? stopOf(x.stopId())
                : x.routeId() != null ? routeOf(x.routeId()) : "m:device:" + x.deviceId();
        emit(
                tx,
                type,
                partition,
                "exception:" + x.exceptionId() + ":" + type.wire(),
                x.stopId() == null ? "" : x.stopId(),
                x.routeId() == null ? "" : x.routeId(),
                data,
                null,
                now);
    }

    /**
     * A stop's outcome was confirmed: when that was the last of its route, the route is complete. One count per
     * confirmation while an endpoint subscribes; the summary is read only for the completing one.
     */
    void stopConfirmed(Tx tx, StopRow stop, long now) {
        if (!outbox.wants(ErpEventType.ROUTE_COMPLETED)) {
            return;
        }
        // Two replicas confirming a route's last two stops at once would each count the other's as not confirmed
        // (neither has committed) and neither would complete the route: the route's lock puts them in a row, and the
        // second one's count (read after the first commits) sees both.
        tx.routes().lockRoute(stop.routeId());
        if (tx.outbox().stopsNotConfirmed(stop.routeId()) > 0) {
            return;
        }
        RouteRow route = tx.routes().findRoute(stop.routeId()).orElse(null);
        if (route == null || !"active".equals(route.status())) {
            return;
        }
        List<StopRow> stops = tx.routes().stopsOfRoute(route.routeId());
        List<ConfirmationRow> confirmed = tx.outbox().confirmationsOfRoute(route.routeId());
        Map<String, StopStateRow> states =
                tx.routes().findStates(stops.stream().map(StopRow::stopId).toList());
        Instant start = null;
        Instant end = null;
        for (StopStateRow s : states.values()) {
            StopStateView v = ProtocolJson.read(s.stateJson(), StopStateView.class);
            for (Instant t : new Instant[] {v.arrivedAt(), v.completedAt()}) {
                if (t != null) {
                    start = start == null || t.isBefore(start) ? t : start;
                    end = end == null || t.isAfter(end) ? t : end;
                }
            }
        }
        int delivered = (int) confirmed.stream()
                .filter(c -> !c.outcome().equals(StopStatus.FAILED.wire()))
                .count();
        int cancelled = (int) stops.stream().filter(s -> !s.isActive()).count();
        BigDecimal distance = tx.routes()
                .odometer(route.routeId())
                .map(km -> BigDecimal.valueOf(km[1] - km[0]).setScale(3, RoundingMode.HALF_UP))
                .orElse(null);
        Milestone.Trip trip = new Milestone.Trip(
                start, end, stops.size(), delivered, confirmed.size() - delivered, cancelled, distance);
        RouteView view = ProtocolJson.read(route.viewJson(), RouteView.class);
        Milestone data = Milestone.EMPTY
                .route(route.routeId(), route.version(), route.driverId())
                .plan(route.vehicleId(), view.serviceDate(), route.status(), view.stopIds())
                .trip(trip)
                .at(Instant.ofEpochMilli(now));
        emit(
                tx,
                ErpEventType.ROUTE_COMPLETED,
                routeOf(route.routeId()),
                "route:" + route.routeId() + ":completed:" + route.version(),
                "",
                route.routeId(),
                data,
                null,
                now);
    }

    private void emit(
            Tx tx,
            ErpEventType type,
            String partition,
            String dedupeKey,
            String stopId,
            String routeId,
            Milestone data,
            String correlationId,
            long now) {
        String subject = !stopId.isEmpty()
                ? "stops/" + stopId
                : partition.startsWith("m:device:") ? "devices/" + data.deviceId() : "routes/" + routeId;
        ErpEvent<Milestone> event = ErpEvent.of(
                UUID.randomUUID().toString(), type, subject, Instant.ofEpochMilli(now), correlationId, data);
        outbox.write(tx, event, type, partition, dedupeKey, stopId, routeId, null, now);
    }

    private static String stopOf(String stopId) {
        return "m:stop:" + stopId;
    }

    private static String routeOf(String routeId) {
        return "m:route:" + routeId;
    }
}
