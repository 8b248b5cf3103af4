package io.podsync.server.erp;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.ErpEvent;
import io.podsync.protocol.ErpEventType;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.PodConfirmation;
import io.podsync.protocol.PodConfirmation.ConfirmedEvidence;
import io.podsync.protocol.PodConfirmation.ConfirmedLine;
import io.podsync.protocol.PodConfirmation.ConfirmedOrder;
import io.podsync.protocol.ReasonCode;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.StopView;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.exceptions.ExceptionQueue;
import io.podsync.server.routes.RouteReleaser;
import io.podsync.server.sync.OutcomeListener;
import io.podsync.server.sync.StopStates;
import io.podsync.server.sync.StopStatus;
import io.podsync.storage.ConfirmationRow;
import io.podsync.storage.EventRow;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopStateRow;
import io.podsync.storage.StopVersionRow;
import io.podsync.storage.Tx;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Decides when a stop's outcome is confirmed for the ERP and writes the messages, in the transaction that changed the
 * stop's state. Confirmed means: delivered or partially delivered, or failed for good (a terminal reason, or the last
 * allowed attempt); every event counted (so all evidence stored); and nothing about the stop's events waiting for a
 * person (such an open exception holds the confirmation until operations resolve it). Once a stop was confirmed, any
 * other outcome it comes to, final or not, is sent as a correction that references the last message and opens an
 * exception: so the last message the ERP received always states the stop's outcome as the server derives it.
 */
public final class Confirmations implements OutcomeListener {
    private final ErpConfig config;
    private final StopStates states;
    private final OutboxWriter outbox;
    private final Milestones milestones;
    private volatile Confirmed confirmed = (tx, stop, outcome, correction, now) -> {};

    /** Told, inside the transaction, that a stop's outcome was confirmed to the ERP (a first time or a correction). */
    public interface Confirmed {
        void confirmed(Tx tx, StopRow stop, EventRow outcome, boolean correction, long now);
    }

    /** Who is told of every confirmation (metrics). */
    public void onConfirmed(Confirmed listener) {
        this.confirmed = listener;
    }

    Confirmations(ErpConfig config, StopStates states, OutboxWriter outbox, Milestones milestones) {
        this.config = config;
        this.states = states;
        this.outbox = outbox;
        this.milestones = milestones;
    }

    @Override
    public void stateChanged(Tx tx, StopRow stop, StopStateView state, long now) {
        consider(tx, stop, state, now);
    }

    /** Looks at a stop again after operations resolved one of its exceptions. */
    public void reconsider(Tx tx, String stopId, long now) {
        // A push folding this stop at the same time (another replica) holds it: wait, then read its new state, so that
        // the confirmation sent is the one of the state that stays.
        tx.routes().lockStops(List.of(stopId));
        StopRow stop = tx.routes().findStops(List.of(stopId)).get(stopId);
        StopStateRow state = tx.routes().findStates(List.of(stopId)).get(stopId);
        if (stop != null && state != null) {
            consider(tx, stop, ProtocolJson.read(state.stateJson(), StopStateView.class), now);
        }
    }

    private void consider(Tx tx, StopRow stop, StopStateView state, long now) {
        if (config.endpoints().isEmpty() || state.outcomeEventKey() == null) {
            return;
        }
        StopStatus status = StopStatus.fromWire(state.status());
        boolean success = status.isSuccess();
        if (!status.isOutcome()) {
            return;
        }
        EventRow outcome = tx.events()
                .findByKeys(state.outcomeDeviceId(), List.of(state.outcomeEventKey()))
                .get(state.outcomeEventKey());
        if (outcome == null) {
            return;
        }
        CapturedEvent event = ProtocolJson.read(outcome.payloadJson(), CapturedEvent.class);
        boolean isFinal = success || finalFailure(event, state);
        for (ExceptionRow x : tx.exceptions().openForStop(stop.stopId())) {
            ExceptionKind kind = ExceptionKind.fromWire(x.kind());
            if (kind == null || kind.holdsConfirmation()) {
                return; // a person decides first; resolving the exception brings us back here
            }
        }
        ConfirmationRow previous = tx.outbox().confirmation(stop.stopId()).orElse(null);
        if (previous == null && !isFinal) {
            return; // the driver will try again: the ERP hears of the stop when it is settled
        }
        if (previous != null
                && previous.outcomeEventKey().equals(outcome.idempotencyKey())
                && previous.deviceId().equals(outcome.deviceId())) {
            return;
        }
        boolean correction = previous != null;
        String messageId = UUID.randomUUID().toString();
        PodConfirmation data = confirmation(tx, stop, state, outcome, event, messageId, previous, isFinal);
        ErpEventType type = ErpEventType.fromWire(ErpEvent.typeOf(state.status(), correction));
        ErpEvent<PodConfirmation> cloudEvent = ErpEvent.of(
                messageId, type, "stops/" + stop.stopId(), Instant.ofEpochMilli(now), outcome.correlationId(), data);
        // The exception first: every path takes the exception counter before the outbox counter (no deadlock).
        if (correction) {
            states.exceptions()
                    .open(
                            tx,
                            List.of(ExceptionQueue.Finding.outcomeCorrected(
                                    stop, messageId, previous.outcome(), state.status(), outcome, now)));
        }
        outbox.write(
                tx,
                cloudEvent,
                type,
                stop.stopId(),
                "stop:" + stop.stopId() + ":outcome:" + outcome.deviceId() + ":" + outcome.idempotencyKey(),
                stop.stopId(),
                stop.routeId(),
                correction ? previous.messageId() : null,
                now);
        tx.outbox()
                .confirm(new ConfirmationRow(
                        stop.stopId(),
                        outcome.idempotencyKey(),
                        outcome.deviceId(),
                        state.status(),
                        messageId,
                        now,
                        isFinal));
        milestones.stopConfirmed(tx, stop, now);
        confirmed.confirmed(tx, stop, outcome, correction, now);
    }

    private boolean finalFailure(CapturedEvent event, StopStateView state) {
        String reason = ReasonCode.canonical(event.payloadOrEmpty().reasonCode());
        return (reason != null && config.terminalReasons().contains(reason)) || state.attempt() >= config.maxAttempts();
    }

    private PodConfirmation confirmation(
            Tx tx,
            StopRow stop,
            StopStateView state,
            EventRow outcome,
            CapturedEvent event,
            String messageId,
            ConfirmationRow previous,
            boolean isFinal) {
        EventPayload p = event.payloadOrEmpty();
        boolean failed = state.status().equals(StopStatus.FAILED.wire());
        String failure = failed ? ReasonCode.canonical(p.reasonCode()) : null;
        Map<String, LineOutcome> reported = new HashMap<>();
        if (p.lines() != null) {
            for (LineOutcome l : p.lines()) {
                reported.put(l.orderId() + '\u0000' + l.lineId(), l);
            }
        }
        long version = bookedVersion(tx, stop, outcome);
        Map<String, List<ConfirmedLine>> byOrder = new LinkedHashMap<>();
        Map<String, Boolean> cancelled = new HashMap<>();
        for (OrderLineRow line : lines(tx, stop, version)) {
            LineOutcome l = reported.get(line.orderId() + '\u0000' + line.lineId());
            BigDecimal delivered;
            BigDecimal refused;
            String reason;
            if (failed || (line.cancelled() && l == null)) {
                delivered = BigDecimal.ZERO;
                refused = failed && ReasonCode.REFUSED.name().equals(failure) && !line.cancelled()
                        ? line.quantity()
                        : BigDecimal.ZERO;
                reason = failure;
            } else if (l != null) {
                // As captured, also on a cancelled order: goods that left the vehicle must reach the books (the
                // event was flagged order_cancelled, and operations accepted it before this was sent).
                delivered = l.delivered() == null ? BigDecimal.ZERO : l.delivered();
                refused = l.refused() == null ? BigDecimal.ZERO : l.refused();
                reason = ReasonCode.canonical(l.reasonCode());
            } else {
                // A delivery that reports no line handed everything over as ordered, in the manifest it confirmed.
                delivered = p.lines() == null ? line.quantity() : BigDecimal.ZERO;
                refused = BigDecimal.ZERO;
                reason = null;
            }
            cancelled.put(line.orderId(), line.cancelled());
            byOrder.computeIfAbsent(line.orderId(), k -> new ArrayList<>())
                    .add(new ConfirmedLine(
                            line.lineId(),
                            line.sku(),
                            line.unit(),
                            line.quantity(),
                            delivered,
                            refused,
                            reason,
                            erpCode(reason)));
        }
        List<ConfirmedOrder> orders = new ArrayList<>();
        byOrder.forEach((orderId, lines) -> orders.add(new ConfirmedOrder(orderId, cancelled.get(orderId), lines)));
        List<ConfirmedEvidence> evidence = new ArrayList<>();
        if (p.evidence() != null && !p.evidence().isEmpty()) {
            String base = evidenceBase(tx, stop);
            for (EvidenceRef r : p.evidence()) {
                evidence.add(new ConfirmedEvidence(
                        r.sha256(), r.kind().wire(), r.mediaType(), base + "/v1/artifacts/" + r.sha256()));
            }
        }
        List<String> flags =
                outcome.flags().isEmpty() ? List.of() : List.of(outcome.flags().split(","));
        return new PodConfirmation(
                messageId,
                previous == null ? "original" : "correction",
                previous == null ? null : previous.messageId(),
                stop.routeId(),
                stop.stopId(),
                outcome.driverId(),
                outcome.deviceId(),
                outcome.idempotencyKey(),
                state.status(),
                state.attempt(),
                isFinal,
                event.capturedAt(),
                Instant.ofEpochMilli(outcome.receivedAt()),
                p.recipient(),
                p.location(),
                flags,
                failure,
                failed ? erpCode(failure) : null,
                orders,
                evidence,
                outcome.correlationId(),
                outcome.correctedAt() == null ? null : Instant.ofEpochMilli(outcome.correctedAt()),
                version);
    }

    /**
     * The manifest version the outcome is booked against: the one operations chose when the outcome was captured
     * against a manifest that changed since, else the one it was captured against (an amendment after the outcome
     * must not change what the driver confirmed), else the current one.
     */
    private static long bookedVersion(Tx tx, StopRow stop, EventRow outcome) {
        if (outcome.flags().contains(EventFlags.MANIFEST_CHANGED)) {
            Long chosen = tx.exceptions()
                    .bookedVersion("manifest:" + outcome.deviceId() + ":" + outcome.idempotencyKey())
                    .orElse(null);
            if (chosen != null) {
                return chosen;
            }
        }
        return outcome.stopVersion() != null ? outcome.stopVersion() : stop.version();
    }

    /** The stop's ordered lines in a version of its manifest: the stored lines for the current one, else its history. */
    private static List<OrderLineRow> lines(Tx tx, StopRow stop, long version) {
        if (version != stop.version()) {
            StopVersionRow then =
                    tx.routes().stopVersions(stop.stopId(), List.of(version)).get(version);
            if (then != null) {
                return RouteReleaser.lines(
                        stop.stopId(),
                        ProtocolJson.read(then.viewJson(), StopView.class).orders());
            }
        }
        return tx.routes().linesOfStops(List.of(stop.stopId()));
    }

    /**
     * Where the ERP reads evidence: the configured public URL, else the base by which the ERP reached the server when
     * it released the stop's route (never a device's Host header, which would send the ERP's token wherever a device
     * says), else a path relative to the server.
     */
    private String evidenceBase(Tx tx, StopRow stop) {
        if (config.publicUrl() != null) {
            return config.publicUrl();
        }
        return tx.routes()
                .findRoute(stop.routeId())
                .map(r -> r.baseUrl() == null ? "" : r.baseUrl())
                .orElse("");
    }

    private String erpCode(String reason) {
        return reason == null ? null : config.reasonMap().getOrDefault(reason, reason);
    }
}
