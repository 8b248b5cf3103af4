package io.podsync.server.ops;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.ExceptionPage;
import io.podsync.protocol.ExceptionResolution;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.Limits;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.Query;
import io.podsync.storage.Database;
import io.podsync.storage.ExceptionRow;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** The business exception queue: list, read, resolve. Ops scope only. */
public final class ExceptionService implements HttpService {
    private static final Set<String> RESOLUTIONS = Set.of("accepted", "dismissed", "corrected");
    private static final Set<String> STATUSES = Set.of("open", "resolved");

    /** Told, inside the transaction, when a person resolved an exception (the ERP forwarding looks at the stop again). */
    public interface ResolutionListener {
        void resolved(io.podsync.storage.Tx tx, ExceptionRow exception, String resolution, long now);
    }

    private final Database db;
    private final Clock clock;
    private final ResolutionListener onResolved;

    public ExceptionService(Database db, Clock clock, ResolutionListener onResolved) {
        this.db = db;
        this.clock = clock;
        this.onResolved = onResolved;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list).get("/{id}", this::get).post("/{id}/resolve", this::resolve);
    }

    private void list(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        Query q = Query.of(req, "status", "kind", "routeId", "before", "limit");
        String status = q.oneOf("status", STATUSES);
        String kind = q.id("kind");
        String routeId = q.id("routeId");
        Long before = q.number("before");
        int limit = q.limit(100, Limits.MAX_PULL_LIMIT);
        List<ExceptionView> items = db.read(tx -> tx.exceptions().list(status, kind, routeId, before, limit)).stream()
                .map(ExceptionService::view)
                .toList();
        Long next = items.size() == limit ? items.get(items.size() - 1).id() : null;
        JsonBodies.ok(res, new ExceptionPage(items, next));
    }

    private void get(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        long id = id(req);
        ExceptionRow row = db.read(tx -> tx.exceptions().find(id))
                .orElseThrow(() -> ProblemException.notFound("exception_not_found", "no exception " + id));
        JsonBodies.ok(res, view(row));
    }

    private void resolve(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.OPS);
        long id = id(req);
        ExceptionResolution r = JsonBodies.read(req, ExceptionResolution.class, 16 * 1024);
        if (r.resolution() == null || !RESOLUTIONS.contains(r.resolution())) {
            throw ProblemException.badRequest(
                    ViolationCodes.UNKNOWN_VALUE, "resolution", "resolution is accepted, dismissed or corrected");
        }
        if (r.note() != null && r.note().length() > Limits.MAX_NOTE_LENGTH) {
            throw ProblemException.badRequest(ViolationCodes.TOO_LONG, "note", "note is too long");
        }
        long now = clock.millis();
        ExceptionRow row = db.write(tx -> {
            ExceptionRow e = tx.exceptions()
                    .find(id)
                    .orElseThrow(() -> ProblemException.notFound("exception_not_found", "no exception " + id));
            if (!tx.exceptions().resolve(id, p.subject(), r.resolution(), r.note(), now)) {
                throw ProblemException.conflict(
                        "exception_already_resolved", "exception " + id + " is resolved already");
            }
            onResolved.resolved(tx, e, r.resolution(), now);
            return tx.exceptions().find(e.exceptionId()).orElseThrow();
        });
        JsonBodies.ok(res, view(row));
    }

    private static long id(ServerRequest req) {
        try {
            return Long.parseLong(req.path().pathParameters().get("id"));
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(ViolationCodes.INVALID_FORMAT, "id", "id must be a number");
        }
    }

    static ExceptionView view(ExceptionRow r) {
        return new ExceptionView(
                r.exceptionId(),
                r.kind(),
                r.status(),
                r.codes().isEmpty() ? List.of() : Arrays.asList(r.codes().split(",")),
                r.routeId(),
                r.stopId(),
                r.driverId(),
                r.deviceId(),
                r.idempotencyKey(),
                Instant.ofEpochMilli(r.createdAt()),
                r.resolvedAt() == null ? null : Instant.ofEpochMilli(r.resolvedAt()),
                r.resolvedBy(),
                r.resolution(),
                r.note());
    }
}
