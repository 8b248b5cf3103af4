package io.podsync.server.ops;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.ExceptionPage;
import io.podsync.protocol.ExceptionResolution;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.Limits;
import io.podsync.protocol.StopView;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.exceptions.ExceptionQueue;
import io.podsync.server.exceptions.ExceptionStatus;
import io.podsync.server.exceptions.Resolution;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.Query;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.FindingRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopVersionRow;
import io.podsync.storage.Tx;
import io.podsync.storage.jdbc.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The business exception queue: list, read, resolve. Ops scope only. A person's resolution is recorded on the events
 * attached to the exception too, so each device pulls how its events were judged (a fenced driver's phone learns
 * whether what it did was taken into account).
 */
public final class ExceptionService implements HttpService {
    private static final Set<String> RESOLUTIONS =
            Set.of(Resolution.ACCEPTED.wire(), Resolution.DISMISSED.wire(), Resolution.CORRECTED.wire());
    private static final Set<String> STATUSES = Set.of(ExceptionStatus.OPEN.wire(), ExceptionStatus.RESOLVED.wire());

    /** Told, inside the transaction, when a person resolved an exception (the ERP forwarding looks at the stop again). */
    public interface ResolutionListener {
        void resolved(Tx tx, ExceptionRow exception, String resolution, long now);
    }

    private final Database db;
    private final Clock clock;
    private final ExceptionQueue exceptions;
    private final ResolutionListener onResolved;

    public ExceptionService(Database db, Clock clock, ExceptionQueue exceptions, ResolutionListener onResolved) {
        this.db = db;
        this.clock = clock;
        this.exceptions = exceptions;
        this.onResolved = onResolved;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list).get("/{id}", this::get).post("/{id}/resolve", this::resolve);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        p.requireAny(Scope.OPS); // before the query is read: a caller without the scope learns nothing of it
        Query q = Query.of(req, "status", "kind", "routeId", "before", "limit");
        JsonBodies.ok(
                res,
                list(
                        p,
                        q.oneOf("status", STATUSES),
                        q.id("kind"),
                        q.id("routeId"),
                        q.number("before"),
                        q.limit(100, Limits.MAX_PULL_LIMIT)));
    }

    /**
     * A page of the queue, newest first, with each exception's findings: {@code status} open or resolved, or both when
     * null; {@code before} the last id of the previous page. The API and the console both read it here.
     */
    public ExceptionPage list(Principal p, String status, String kind, String routeId, Long before, long limit) {
        p.requireAny(Scope.OPS);
        Query.oneOf("status", status, STATUSES);
        int n = Query.checkLimit(limit, Limits.MAX_PULL_LIMIT);
        List<ExceptionView> items = db.read(tx -> {
            List<ExceptionRow> rows = tx.exceptions().list(status, kind, routeId, before, n);
            Map<Long, List<FindingRow>> findings = tx.exceptions()
                    .findingsOf(rows.stream().map(ExceptionRow::exceptionId).toList());
            return rows.stream()
                    .map(r -> view(r, findings.getOrDefault(r.exceptionId(), List.of()), null))
                    .toList();
        });
        Long next = items.size() == n ? items.get(items.size() - 1).id() : null;
        return new ExceptionPage(items, next);
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.ok(res, get(AuthFilter.principal(req), id(req)));
    }

    /** One exception with its findings and, for a manifest question, the stop versions side by side. */
    public ExceptionView get(Principal p, long id) {
        p.requireAny(Scope.OPS);
        return db.read(tx -> tx.exceptions().find(id).map(row -> detail(tx, row)))
                .orElseThrow(() -> ProblemException.notFound("exception_not_found", "no exception " + id));
    }

    /** An exception with its findings and, for a manifest question, the stop versions side by side. */
    private static ExceptionView detail(Tx tx, ExceptionRow row) {
        List<FindingRow> findings =
                tx.exceptions().findingsOf(List.of(row.exceptionId())).getOrDefault(row.exceptionId(), List.of());
        List<StopView> manifests = null;
        if (ExceptionKind.MANIFEST_CHANGED.wire().equals(row.kind()) && row.stopId() != null) {
            manifests = tx.routes().stopVersions(row.stopId(), versions(tx, row, findings)).values().stream()
                    .sorted(Comparator.comparingLong(StopVersionRow::version))
                    .map(v -> ProtocolJson.read(v.viewJson(), StopView.class))
                    .toList();
        }
        return view(row, findings, manifests);
    }

    /** The stop versions a manifest question is about: those its events were captured against, and the current. */
    private static Set<Long> versions(Tx tx, ExceptionRow row, List<FindingRow> findings) {
        Set<Long> out = new TreeSet<>();
        for (FindingRow f : findings) {
            if (f.stopVersion() != null) {
                out.add(f.stopVersion());
            }
        }
        StopRow stop = tx.routes().findStops(List.of(row.stopId())).get(row.stopId());
        if (stop != null) {
            out.add(stop.version());
        }
        return out;
    }

    private void resolve(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        long id = id(req);
        JsonBodies.ok(res, resolve(p, id, JsonBodies.read(req, ExceptionResolution.class, 16 * 1024)));
    }

    /**
     * Resolves an open exception, recording who did it (a manifest question also says which version the outcome is
     * booked against); its devices pull the resolution, and the ERP forwarding looks at its stop again.
     */
    public ExceptionView resolve(Principal p, long id, ExceptionResolution r) {
        p.requireAny(Scope.OPS);
        if (r.resolution() == null || !RESOLUTIONS.contains(r.resolution())) {
            throw ProblemException.badRequest(
                    ViolationCodes.UNKNOWN_VALUE, "resolution", "resolution is accepted, dismissed or corrected");
        }
        if (r.note() != null && r.note().length() > Limits.MAX_NOTE_LENGTH) {
            throw ProblemException.badRequest(ViolationCodes.TOO_LONG, "note", "note is too long");
        }
        long now = clock.millis();
        ExceptionView view = db.write(tx -> {
            ExceptionRow e = tx.exceptions()
                    .find(id)
                    .orElseThrow(() -> ProblemException.notFound("exception_not_found", "no exception " + id));
            List<FindingRow> findings = tx.exceptions().findingsOf(List.of(id)).getOrDefault(id, List.of());
            Long booked = bookedVersion(tx, e, findings, r);
            if (!tx.exceptions().resolve(id, p.subject(), r.resolution(), r.note(), booked, now)) {
                throw ProblemException.conflict(
                        "exception_already_resolved", "exception " + id + " is resolved already");
            }
            tellDevices(tx, findings, r.resolution());
            ExceptionRow resolved = tx.exceptions().find(id).orElseThrow();
            exceptions.resolved(tx, resolved, now);
            onResolved.resolved(tx, e, r.resolution(), now);
            return detail(tx, resolved);
        });
        return view;
    }

    /**
     * The manifest version an accepted or dismissed manifest question books the outcome against: required, and one of
     * the versions the exception shows. Nothing else takes one.
     */
    private static Long bookedVersion(Tx tx, ExceptionRow e, List<FindingRow> findings, ExceptionResolution r) {
        boolean manifest = ExceptionKind.MANIFEST_CHANGED.wire().equals(e.kind());
        if (!manifest || r.resolution().equals(Resolution.CORRECTED.wire())) {
            if (r.stopVersion() != null) {
                throw ProblemException.badRequest(
                        ViolationCodes.INCONSISTENT,
                        "stopVersion",
                        "only a manifest_changed exception accepted or dismissed takes a stopVersion");
            }
            return null;
        }
        if (r.stopVersion() == null) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED,
                    "stopVersion",
                    "say which stop version (one of the exception's manifests) the outcome is booked against");
        }
        Set<Long> shown = versions(tx, e, findings);
        if (!shown.contains(r.stopVersion())) {
            throw ProblemException.badRequest(
                    ViolationCodes.UNKNOWN_VALUE, "stopVersion", "stopVersion is one of " + shown);
        }
        return r.stopVersion();
    }

    /** Each device pulls the resolution with the verdicts of its events that were attached to the exception. */
    private static void tellDevices(Tx tx, List<FindingRow> findings, String resolution) {
        Map<String, List<String>> byDevice = new TreeMap<>();
        for (FindingRow f : findings) {
            if (f.deviceId() != null && f.idempotencyKey() != null) {
                byDevice.computeIfAbsent(f.deviceId(), k -> new ArrayList<>()).add(f.idempotencyKey());
            }
        }
        byDevice.forEach((device, keys) -> tx.events().setResolution(device, keys, resolution));
    }

    private static long id(ServerRequest req) {
        try {
            return Long.parseLong(req.path().pathParameters().get("id"));
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(ViolationCodes.INVALID_FORMAT, "id", "id must be a number");
        }
    }

    static ExceptionView view(ExceptionRow r, List<FindingRow> findings, List<StopView> manifests) {
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
                r.note(),
                findings.stream()
                        .map(f -> new ExceptionView.Finding(
                                f.deviceId(),
                                f.idempotencyKey(),
                                f.codes().isEmpty()
                                        ? List.of()
                                        : Arrays.asList(f.codes().split(",")),
                                f.stopVersion(),
                                Instant.ofEpochMilli(f.createdAt()),
                                f.clearedAt() == null ? null : Instant.ofEpochMilli(f.clearedAt())))
                        .toList(),
                manifests,
                r.stopVersion());
    }
}
