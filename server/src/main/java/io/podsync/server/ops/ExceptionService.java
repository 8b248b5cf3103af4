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
        Long limit = longParam(req, "limit");
        JsonBodies.ok(
                res,
                list(
                        AuthFilter.principal(req),
                        req.query().first("status").orElse(null),
                        req.query().first("kind").orElse(null),
                        req.query().first("routeId").orElse(null),
                        longParam(req, "before"),
                        limit == null ? 100 : limit));
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.ok(res, get(AuthFilter.principal(req), id(req)));
    }

    private void resolve(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        long id = id(req);
        ExceptionResolution r = JsonBodies.read(req, ExceptionResolution.class, 16 * 1024);
        JsonBodies.ok(res, resolve(p, id, r.resolution(), r.note()));
    }

    /**
     * A page of the queue, newest first: {@code status} open or resolved, or both when null; {@code before} the
     * last id of the previous page. The API and the console both read it here.
     */
    public ExceptionPage list(Principal p, String status, String kind, String routeId, Long before, long limit) {
        p.requireAny(Scope.OPS);
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badRequest(ViolationCodes.UNKNOWN_VALUE, "status", "status is open or resolved");
        }
        if (limit < 1 || limit > Limits.MAX_PULL_LIMIT) {
            throw ProblemException.badRequest(ViolationCodes.OUT_OF_RANGE, "limit", "limit must be 1 to 1000");
        }
        int n = (int) limit;
        List<ExceptionView> items = db.read(tx -> tx.exceptions().list(status, kind, routeId, before, n)).stream()
                .map(ExceptionService::view)
                .toList();
        Long next = items.size() == n ? items.get(items.size() - 1).id() : null;
        return new ExceptionPage(items, next);
    }

    public ExceptionView get(Principal p, long id) {
        p.requireAny(Scope.OPS);
        ExceptionRow row = db.read(tx -> tx.exceptions().find(id))
                .orElseThrow(() -> ProblemException.notFound("exception_not_found", "no exception " + id));
        return view(row);
    }

    /** Resolves an open exception, recording who did it; the ERP forwarding looks at its stop again. */
    public ExceptionView resolve(Principal p, long id, String resolution, String note) {
        p.requireAny(Scope.OPS);
        if (resolution == null || !RESOLUTIONS.contains(resolution)) {
            throw ProblemException.badRequest(
                    ViolationCodes.UNKNOWN_VALUE, "resolution", "resolution is accepted, dismissed or corrected");
        }
        if (note != null && note.length() > Limits.MAX_NOTE_LENGTH) {
            throw ProblemException.badRequest(ViolationCodes.TOO_LONG, "note", "note is too long");
        }
        long now = clock.millis();
        ExceptionRow row = db.write(tx -> {
            ExceptionRow e = tx.exceptions()
                    .find(id)
                    .orElseThrow(() -> ProblemException.notFound("exception_not_found", "no exception " + id));
            if (!tx.exceptions().resolve(id, p.subject(), resolution, note, now)) {
                throw ProblemException.conflict(
                        "exception_already_resolved", "exception " + id + " is resolved already");
            }
            onResolved.resolved(tx, e, resolution, now);
            return tx.exceptions().find(e.exceptionId()).orElseThrow();
        });
        return view(row);
    }

    private static long id(ServerRequest req) {
        try {
            return Long.parseLong(req.path().pathParameters().get("id"));
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(ViolationCodes.INVALID_FORMAT, "id", "id must be a number");
        }
    }

    private static Long longParam(ServerRequest req, String name) {
        String raw = req.query().first(name).orElse(null);
        if (raw == null) {
            return null;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(ViolationCodes.INVALID_FORMAT, name, name + " must be a number");
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
