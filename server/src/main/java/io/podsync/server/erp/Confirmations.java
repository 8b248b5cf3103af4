package io.podsync.server.erp;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.ErpEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.PodConfirmation;
import io.podsync.protocol.PodConfirmation.ConfirmedEvidence;
import io.podsync.protocol.PodConfirmation.ConfirmedLine;
import io.podsync.protocol.PodConfirmation.ConfirmedOrder;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.observe.Telemetry;
import io.podsync.server.sync.OutcomeListener;
import io.podsync.server.sync.StopStates;
import io.podsync.storage.ConfirmationRow;
import io.podsync.storage.EventRow;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.OutboxRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopStateRow;
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
 * allowed attempt); every event counted (so all evidence stored); and nothing about the stop waiting for a person (an
 * open exception holds the confirmation until operations resolve it). A different outcome after a confirmation is
 * sent as a correction that references the original, and opens an exception.
 */
public final class Confirmations implements OutcomeListener {
    public static final String EXCEPTION_CORRECTED = "outcome_corrected";

    private final ErpConfig config;
    private final StopStates states;

    public Confirmations(ErpConfig config, StopStates states) {
        this.config = config;
        this.states = states;
    }

    @Override
    public void stateChanged(Tx tx, StopRow stop, StopStateView state, long now) {
        consider(tx, stop, state, now);
    }

    /** Looks at a stop again after operations resolved one of its exceptions. */
    public void reconsider(Tx tx, String stopId, long now) {
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
        boolean success = state.status().equals("delivered") || state.status().equals("partially_delivered");
        if (!success && !state.status().equals("failed")) {
            return;
        }
        EventRow outcome = tx.events()
                .findByKeys(state.outcomeDeviceId(), List.of(state.outcomeEventKey()))
                .get(state.outcomeEventKey());
        if (outcome == null) {
            return;
        }
        CapturedEvent event = ProtocolJson.read(outcome.payloadJson(), CapturedEvent.class);
        if (!success && !finalFailure(event, state)) {
            return;
        }
        List<ExceptionRow> open = tx.exceptions().openForStop(stop.stopId());
        if (!open.isEmpty()) {
            return; // a person decides first; resolving the exception brings us back here
        }
        ConfirmationRow previous = tx.outbox().confirmation(stop.stopId()).orElse(null);
        if (previous != null
                && previous.outcomeEventKey().equals(outcome.idempotencyKey())
                && previous.deviceId().equals(outcome.deviceId())) {
            return;
        }
        boolean correction = previous != null;
        String messageId = UUID.randomUUID().toString();
        PodConfirmation data = confirmation(tx, stop, state, outcome, event, messageId, previous, now);
        ErpEvent cloudEvent = new ErpEvent(
                ErpEvent.SPEC_VERSION,
                messageId,
                "podsync",
                ErpEvent.typeOf(state.status(), correction),
                "stops/" + stop.stopId(),
                Instant.ofEpochMilli(now),
                "application/json",
                outcome.correlationId(),
                data);
        String json = ProtocolJson.toString(cloudEvent);
        // The exception first: every path takes the exception counter before the outbox counter (no deadlock).
        if (correction) {
            states.openExceptions(
                    tx,
                    List.of(StopStates.exception(
                            "corrected:" + messageId,
                            EXCEPTION_CORRECTED,
                            List.of(EXCEPTION_CORRECTED, previous.outcome() + "->" + state.status()),
                            stop,
                            stop.driverId(),
                            outcome.deviceId(),
                            outcome.idempotencyKey(),
                            now)));
        }
        for (ErpConfig.Endpoint endpoint : config.endpoints()) {
            String status = tx.outbox().isDisabled(endpoint.name()) ? "held" : "pending";
            tx.outbox()
                    .add(new OutboxRow(
                            0,
                            messageId,
                            endpoint.name(),
                            "stop:" + stop.stopId() + ":outcome:" + outcome.deviceId() + ":" + outcome.idempotencyKey()
                                    + ":" + endpoint.name(),
                            stop.stopId(),
                            cloudEvent.type(),
                            stop.stopId(),
                            stop.routeId(),
                            correction ? previous.messageId() : null,
                            json,
                            status,
                            0,
                            now + config.schedule().get(0).toMillis(),
                            null,
                            null,
                            now,
                            null,
                            outcome.correlationId(),
                            Telemetry.traceParent()));
        }
        tx.outbox()
                .confirm(new ConfirmationRow(
                        stop.stopId(), outcome.idempotencyKey(), outcome.deviceId(), state.status(), messageId, now));
    }

    private boolean finalFailure(CapturedEvent event, StopStateView state) {
        String reason = event.payloadOrEmpty().reasonCode();
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
            long now) {
        EventPayload p = event.payloadOrEmpty();
        boolean failed = state.status().equals("failed");
        Map<String, LineOutcome> reported = new HashMap<>();
        if (p.lines() != null) {
            for (LineOutcome l : p.lines()) {
                reported.put(l.orderId() + '\u0000' + l.lineId(), l);
            }
        }
        Map<String, List<ConfirmedLine>> byOrder = new LinkedHashMap<>();
        Map<String, Boolean> cancelled = new HashMap<>();
        for (OrderLineRow line : tx.routes().linesOfStops(List.of(stop.stopId()))) {
            LineOutcome l = reported.get(line.orderId() + '\u0000' + line.lineId());
            BigDecimal delivered;
            BigDecimal refused;
            String reason;
            if (failed || (line.cancelled() && l == null)) {
                delivered = BigDecimal.ZERO;
                refused = failed && "REFUSED".equals(p.reasonCode()) && !line.cancelled()
                        ? line.quantity()
                        : BigDecimal.ZERO;
                reason = failed ? p.reasonCode() : null;
            } else if (l != null) {
                // As captured, also on a cancelled order: goods that left the vehicle must reach the books (the
                // event was flagged order_cancelled, and operations accepted it before this was sent).
                delivered = l.delivered() == null ? BigDecimal.ZERO : l.delivered();
                refused = l.rejected() == null ? BigDecimal.ZERO : l.rejected();
                reason = l.reasonCode();
            } else {
                // A delivery that reports no line handed everything over as ordered.
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
        if (p.evidence() != null) {
            for (EvidenceRef r : p.evidence()) {
                evidence.add(new ConfirmedEvidence(
                        r.sha256(),
                        r.kind().wire(),
                        r.mediaType(),
                        config.publicUrl() + "/v1/artifacts/" + r.sha256()));
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
                true,
                event.capturedAt(),
                Instant.ofEpochMilli(outcome.receivedAt()),
                p.recipient(),
                p.location(),
                flags,
                failed ? p.reasonCode() : null,
                failed ? erpCode(p.reasonCode()) : null,
                orders,
                evidence,
                outcome.correlationId());
    }

    private String erpCode(String reason) {
        return reason == null ? null : config.reasonMap().getOrDefault(reason, reason);
    }
}
