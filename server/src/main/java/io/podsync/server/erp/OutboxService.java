package io.podsync.server.erp;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.Limits;
import io.podsync.protocol.OutboxView;
import io.podsync.protocol.RecoverRequest;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Scope;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.Query;
import io.podsync.storage.Database;
import io.podsync.storage.OutboxAttemptRow;
import io.podsync.storage.OutboxRow;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Operations' view of ERP forwarding ({@code /v1/ops/outbox}): messages by status with every attempt, replay of one
 * or all dead messages, the reconciliation report, and re-enabling an endpoint that answered 410.
 */
public final class OutboxService implements HttpService {
    private static final Set<String> STATUSES = Set.of(
            OutboxStatus.PENDING.wire(),
            OutboxStatus.DELIVERED.wire(),
            OutboxStatus.DEAD.wire(),
            OutboxStatus.HELD.wire());

    private final Database db;
    private final Clock clock;
    private final Set<String> endpoints;

    public OutboxService(Database db, Clock clock, Set<String> endpoints) {
        this.db = db;
        this.clock = clock;
        this.endpoints = Set.copyOf(endpoints);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/ops/outbox", this::list)
                .get("/v1/ops/outbox/reconciliation", this::reconciliation)
                .get("/v1/ops/outbox/{id}", this::get)
                .post("/v1/ops/outbox/{id}/replay", this::replay)
                .post("/v1/ops/outbox/replay-dead", this::replayDead)
                .post("/v1/ops/erp-endpoints/{name}/enable", this::enable)
                .post("/v1/ops/erp-endpoints/{name}/recover", this::recover);
    }

    private void list(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        Query q = Query.of(req, "status", "before", "limit");
        String status = q.oneOf("status", STATUSES);
        Long before = q.number("before");
        int limit = q.limit(100, 1000);
        List<OutboxView> items = db.read(tx -> tx.outbox().list(status, before, limit)).stream()
                .map(m -> view(m, null))
                .toList();
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("items", items);
        if (items.size() == limit) {
            page.put("nextBefore", items.get(items.size() - 1).id()); // newest first: pass it as before
        }
        JsonBodies.ok(res, page);
    }

    private void get(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        long id = number(req.path().pathParameters().get("id"), "id");
        OutboxView view = db.read(tx ->
                        tx.outbox().find(id).map(m -> view(m, tx.outbox().attempts(id))))
                .orElseThrow(() -> ProblemException.notFound("message_not_found", "no outbox message " + id));
        JsonBodies.ok(res, view);
    }

    private void replay(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        long id = number(req.path().pathParameters().get("id"), "id");
        long now = clock.millis();
        OutboxView view = db.write(tx -> {
            OutboxRow m = tx.outbox()
                    .find(id)
                    .orElseThrow(() -> ProblemException.notFound("message_not_found", "no outbox message " + id));
            if (!tx.outbox().replay(id, now)) {
                throw ProblemException.conflict(
                        "message_in_flight",
                        "message " + id + " is " + m.status() + "; only dead, held or delivered ones replay");
            }
            return view(tx.outbox().find(id).orElseThrow(), null);
        });
        JsonBodies.ok(res, view);
    }

    private void replayDead(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        long now = clock.millis();
        int n = db.write(tx -> {
            int count = 0;
            for (OutboxRow m : tx.outbox().list(OutboxStatus.DEAD.wire(), null, 1000)) {
                if (tx.outbox().replay(m.outboxId(), now)) {
                    count++;
                }
            }
            return count;
        });
        JsonBodies.ok(res, Map.of("replayed", n));
    }

    private void enable(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        String name = req.path().pathParameters().get("name");
        if (!endpoints.contains(name)) {
            throw ProblemException.notFound("endpoint_not_found", "no ERP endpoint named " + name + " is configured");
        }
        long now = clock.millis();
        int released = db.write(tx -> {
            tx.outbox().enable(name);
            return tx.outbox().setStatusOfEndpoint(name, OutboxStatus.HELD.wire(), OutboxStatus.PENDING.wire(), now);
        });
        JsonBodies.ok(res, Map.of("endpoint", name, "released", released));
    }

    /**
     * Svix's "recover failed messages since": every dead or failing message of one endpoint written since a time goes
     * out again, in its original order (the messages of a stop keep theirs), with the whole retry schedule.
     */
    private void recover(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        String name = req.path().pathParameters().get("name");
        if (!endpoints.contains(name)) {
            throw ProblemException.notFound("endpoint_not_found", "no ERP endpoint named " + name + " is configured");
        }
        RecoverRequest r = JsonBodies.read(req, RecoverRequest.class, 16 * 1024);
        if (r.since() == null) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED, "since", "since (replay what was written from then on) is required");
        }
        if (!Limits.inTimeRange(r.since())) {
            throw ProblemException.badRequest(
                    ViolationCodes.OUT_OF_RANGE,
                    "since",
                    "since must be between " + Limits.EARLIEST_TIME + " and " + Limits.LATEST_TIME);
        }
        long now = clock.millis();
        int recovered = db.write(tx -> tx.outbox().recover(name, r.since().toEpochMilli(), now));
        JsonBodies.ok(res, Map.of("endpoint", name, "recovered", recovered));
    }

    /** Confirmations produced, acknowledged by the ERP, pending, held and dead, by message type. */
    private void reconciliation(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        Map<String, Map<String, Long>> counts = db.read(tx -> tx.outbox().counts());
        Map<String, Object> byType = new LinkedHashMap<>();
        long produced = 0;
        long acknowledged = 0;
        long dead = 0;
        for (Map.Entry<String, Map<String, Long>> e : counts.entrySet()) {
            long total =
                    e.getValue().values().stream().mapToLong(Long::longValue).sum();
            produced += total;
            acknowledged += e.getValue().getOrDefault(OutboxStatus.DELIVERED.wire(), 0L);
            dead += e.getValue().getOrDefault(OutboxStatus.DEAD.wire(), 0L);
            Map<String, Long> row = new LinkedHashMap<>(e.getValue());
            row.put("produced", total);
            byType.put(e.getKey(), row);
        }
        JsonBodies.ok(
                res,
                Map.of(
                        "produced", produced,
                        "acknowledged", acknowledged,
                        "dead", dead,
                        "outstanding", produced - acknowledged - dead,
                        "byType", byType));
    }

    private static long number(String raw, String field) {
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(ViolationCodes.INVALID_FORMAT, field, field + " must be a number");
        }
    }

    static OutboxView view(OutboxRow m, List<OutboxAttemptRow> attempts) {
        return new OutboxView(
                m.outboxId(),
                m.messageId(),
                m.endpoint(),
                m.type(),
                m.stopId().isEmpty() ? null : m.stopId(), // a milestone about a route or a device
                m.routeId().isEmpty() ? null : m.routeId(),
                m.status(),
                m.attempts(),
                Instant.ofEpochMilli(m.nextAttemptAt()),
                m.lastStatus(),
                m.lastError(),
                Instant.ofEpochMilli(m.createdAt()),
                m.deliveredAt() == null ? null : Instant.ofEpochMilli(m.deliveredAt()),
                m.supersedes(),
                attempts == null
                        ? null
                        : attempts.stream()
                                .map(a -> new OutboxView.Attempt(
                                        a.attempt(),
                                        Instant.ofEpochMilli(a.at()),
                                        a.statusCode(),
                                        a.error(),
                                        a.durationMillis()))
                                .toList());
    }
}
