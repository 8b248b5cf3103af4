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
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.Query;
import io.podsync.storage.OutboxAttemptRow;
import io.podsync.storage.OutboxRepository;
import io.podsync.storage.OutboxRow;
import io.podsync.storage.jdbc.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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

    /** A page of messages, newest first; {@code nextBefore} continues it. */
    public record Page(List<OutboxView> items, Long nextBefore) {}

    /** Messages produced, acknowledged, dead and still outstanding, in all and by message type and status. */
    public record Reconciliation(
            long produced, long acknowledged, long dead, long outstanding, Map<String, Map<String, Long>> byType) {}

    private void list(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        p.requireAny(Scope.OPS); // before the query is read: a caller without the scope learns nothing of it
        Query q = Query.of(req, "status", "before", "limit");
        JsonBodies.ok(res, list(p, q.oneOf("status", STATUSES), q.number("before"), q.limit(100, 1000)));
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.ok(
                res,
                get(
                        AuthFilter.principal(req),
                        number(req.path().pathParameters().get("id"), "id")));
    }

    private void replay(ServerRequest req, ServerResponse res) {
        JsonBodies.ok(
                res,
                replay(
                        AuthFilter.principal(req),
                        number(req.path().pathParameters().get("id"), "id")));
    }

    private void replayDead(ServerRequest req, ServerResponse res) {
        JsonBodies.ok(res, Map.of("replayed", replayDead(AuthFilter.principal(req))));
    }

    private void enable(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        JsonBodies.ok(res, Map.of("endpoint", name, "released", enable(AuthFilter.principal(req), name)));
    }

    private void reconciliation(ServerRequest req, ServerResponse res) {
        JsonBodies.ok(res, reconciliation(AuthFilter.principal(req)));
    }

    /** Messages of one status (all when null), newest first. The API and the console both read them here. */
    public Page list(Principal p, String status, Long before, long limit) {
        p.requireAny(Scope.OPS);
        Query.oneOf("status", status, STATUSES);
        int n = Query.checkLimit(limit, 1000);
        List<OutboxView> items = db.read(tx -> tx.outbox().list(status, before, n)).stream()
                .map(m -> view(m, null))
                .toList();
        // newest first: the last id is the next page's before
        return new Page(items, items.size() == n ? items.get(items.size() - 1).id() : null);
    }

    /** One message with every attempt. */
    public OutboxView get(Principal p, long id) {
        p.requireAny(Scope.OPS);
        return db.read(tx -> tx.outbox().find(id).map(m -> view(m, tx.outbox().attempts(id))))
                .orElseThrow(() -> ProblemException.notFound("message_not_found", "no outbox message " + id));
    }

    /** Sends a dead, held or delivered message again (the ERP drops it as a duplicate if it had it). */
    public OutboxView replay(Principal p, long id) {
        p.requireAny(Scope.OPS);
        long now = clock.millis();
        return db.write(tx -> {
            OutboxRow m = tx.outbox()
                    .find(id)
                    .orElseThrow(() -> ProblemException.notFound("message_not_found", "no outbox message " + id));
            if (!tx.outbox().replay(id, now)) {
                throw ProblemException.conflict(
                        "message_in_flight",
                        "message " + id + " is " + m.status() + "; only dead, held or delivered ones replay");
            }
            tx.trace().recordAction("replay", p.subject(), now, id, null, null, 1);
            return view(tx.outbox().find(id).orElseThrow(), null);
        });
    }

    /** Sends every dead message again; returns how many. */
    public int replayDead(Principal p) {
        p.requireAny(Scope.OPS);
        long now = clock.millis();
        return db.write(tx -> {
            List<Long> replayed = new ArrayList<>();
            for (OutboxRow m : tx.outbox().list(OutboxStatus.DEAD.wire(), null, 1000)) {
                if (tx.outbox().replay(m.outboxId(), now)) {
                    replayed.add(m.outboxId());
                }
            }
            for (long id : replayed) { // one row per message, so that each message's trace shows it
                tx.trace().recordAction("replay_dead", p.subject(), now, id, null, null, replayed.size());
            }
            return replayed.size();
        });
    }

    /** Enables an endpoint that answered 410 and releases its held messages; returns how many. */
    public int enable(Principal p, String name) {
        p.requireAny(Scope.OPS);
        if (!endpoints.contains(name)) {
            throw ProblemException.notFound("endpoint_not_found", "no ERP endpoint named " + name + " is configured");
        }
        long now = clock.millis();
        return db.write(tx -> {
            tx.outbox().enable(name);
            int count =
                    tx.outbox().setStatusOfEndpoint(name, OutboxStatus.HELD.wire(), OutboxStatus.PENDING.wire(), now);
            tx.trace().recordAction("enable", p.subject(), now, null, name, null, count);
            return count;
        });
    }

    /**
     * One configured endpoint: its messages by status, its backlog (pending and held) and the oldest of it, and
     * whether it is disabled (it answered 410).
     */
    public record EndpointState(
            String name, boolean disabled, Map<String, Long> byStatus, long backlog, Instant oldestBacklog) {}

    /** Every configured endpoint's state, by name. */
    public List<EndpointState> endpointStates(Principal p) {
        p.requireAny(Scope.OPS);
        return db.read(tx -> {
            List<OutboxRepository.EndpointCount> counts = tx.outbox().countsByEndpoint();
            List<EndpointState> out = new ArrayList<>();
            for (String name : new java.util.TreeSet<>(endpoints)) {
                Map<String, Long> byStatus = new java.util.TreeMap<>();
                long backlog = 0;
                Long oldest = null;
                for (OutboxRepository.EndpointCount c : counts) {
                    if (!c.endpoint().equals(name)) {
                        continue;
                    }
                    byStatus.put(c.status(), c.count());
                    if (c.status().equals(OutboxStatus.PENDING.wire())
                            || c.status().equals(OutboxStatus.HELD.wire())) {
                        backlog += c.count();
                        oldest = oldest == null ? c.oldestCreatedAt() : Math.min(oldest, c.oldestCreatedAt());
                    }
                }
                out.add(new EndpointState(
                        name,
                        tx.outbox().isDisabled(name),
                        byStatus,
                        backlog,
                        oldest == null ? null : Instant.ofEpochMilli(oldest)));
            }
            return out;
        });
    }

    /**
     * Svix's "recover failed messages since": every dead or failing message of one endpoint written since a time goes
     * out again, in its original order (the messages of a stop keep theirs), with the whole retry schedule.
     */
    private void recover(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Principal p = AuthFilter.principal(req);
        RecoverRequest r = JsonBodies.read(req, RecoverRequest.class, 16 * 1024);
        JsonBodies.ok(res, Map.of("endpoint", name, "recovered", recover(p, name, r.since())));
    }

    /** Sends every dead or failing message of the endpoint written since {@code since} again; returns how many. */
    public int recover(Principal p, String name, Instant since) {
        p.requireAny(Scope.OPS);
        if (!endpoints.contains(name)) {
            throw ProblemException.notFound("endpoint_not_found", "no ERP endpoint named " + name + " is configured");
        }
        if (since == null) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED, "since", "since (replay what was written from then on) is required");
        }
        if (!Limits.inTimeRange(since)) {
            throw ProblemException.badRequest(
                    ViolationCodes.OUT_OF_RANGE,
                    "since",
                    "since must be between " + Limits.EARLIEST_TIME + " and " + Limits.LATEST_TIME);
        }
        long now = clock.millis();
        long from = since.toEpochMilli();
        return db.write(tx -> {
            int count = tx.outbox().recover(name, from, now);
            tx.trace().recordAction("recover", p.subject(), now, null, name, from, count);
            return count;
        });
    }

    /** Confirmations produced, acknowledged by the ERP, pending, held and dead, by message type. */
    public Reconciliation reconciliation(Principal p) {
        p.requireAny(Scope.OPS);
        Map<String, Map<String, Long>> counts = db.read(tx -> tx.outbox().counts());
        Map<String, Map<String, Long>> byType = new java.util.TreeMap<>();
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
        return new Reconciliation(produced, acknowledged, dead, produced - acknowledged - dead, byType);
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
