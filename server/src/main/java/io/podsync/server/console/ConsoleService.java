package io.podsync.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.ExceptionPage;
import io.podsync.protocol.ExceptionResolution;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.LatencyKind;
import io.podsync.protocol.LatencyWindow;
import io.podsync.protocol.Limits;
import io.podsync.protocol.RoutePage;
import io.podsync.protocol.TraceKey;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.protocol.validation.ProtocolValidator;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.AuthService;
import io.podsync.server.auth.LoginThrottle;
import io.podsync.server.auth.Principal;
import io.podsync.server.erp.OutboxService;
import io.podsync.server.http.ProblemException;
import io.podsync.server.ops.ExceptionService;
import io.podsync.server.ops.OpsService;
import io.podsync.server.ops.SlaMonitor;
import io.podsync.storage.EventRow;
import io.podsync.storage.jdbc.Database;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operations console at {@code /ops/}: server-rendered pages for the people who watch deliveries and the ERP
 * feed, with htmx for a little progressive enhancement. Every page reads, and every action changes, through the same
 * service methods as the API ({@link ExceptionService}, {@link OutboxService}), with the signed-in person's
 * {@link Principal}, so the same scope checks apply and what they do is recorded under their client id.
 *
 * <p>Sign-in and sessions: {@link ConsoleSessions}. A request under {@code /ops/} other than the sign-in page and the
 * assets needs a live session (else a page request is sent to sign in); a state-changing one also needs the
 * session's CSRF token in its form, and must come from this origin ({@code Origin} and {@code Sec-Fetch-Site}
 * checked when the browser sends them), on top of the cookie's {@code SameSite=Strict}.
 */
public final class ConsoleService implements HttpService {
    static final String COOKIE = "podsync-console";
    private static final int ROUTES_PER_PAGE = 200;
    /** The windows of Today's latency charts. */
    private static final List<LatencyWindow> WINDOWS = List.of(LatencyWindow.HOUR, LatencyWindow.DAY);

    private static final int MAX_FORM_BYTES = 16 * 1024;
    private static final List<String> RESOLUTIONS = List.of("accepted", "dismissed", "corrected");
    private static final List<String> KINDS = java.util.Arrays.stream(ExceptionKind.values())
            .map(ExceptionKind::wire)
            .toList();

    private final ConsoleSessions sessions;
    private final LoginThrottle throttle;
    private final ExceptionService exceptions;
    private final OutboxService outbox;
    private final Handler artifacts;
    private final AuthService auth;
    private final OpsService ops;
    private final LatencySource latencies;
    private final TraceSource traces;
    private final SlaMonitor.Settings sla;
    private final Database db;
    private final Clock clock;
    private final Pages pages = new Pages();

    /** The session of this request, for the handlers after the gate. */
    private record Signed(ConsoleSessions.Session session) {}

    public ConsoleService(
            ConsoleSessions sessions,
            LoginThrottle throttle,
            ExceptionService exceptions,
            OutboxService outbox,
            AuthService auth,
            OpsService ops,
            LatencySource latencies,
            TraceSource traces,
            SlaMonitor.Settings sla,
            Handler artifacts,
            Database db,
            Clock clock) {
        this.sessions = sessions;
        this.throttle = throttle;
        this.exceptions = exceptions;
        this.outbox = outbox;
        this.auth = auth;
        this.ops = ops;
        this.latencies = latencies;
        this.traces = traces;
        this.sla = sla;
        this.artifacts = artifacts;
        this.db = db;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        // Each route is listed with its method (not behind one any-method gate) so that the server's route list
        // (http.Routes) knows the console's pages: a path no page serves is 404, and metrics count by page.
        rules.get("/assets/{name}", Assets::serve)
                .get("/sign-in", this::signInPage)
                .post("/sign-in", this::signIn)
                .get("/", gated((req, res) -> redirect(res, "/ops/today")))
                .post("/sign-out", gated(this::signOut))
                .get("/today", gated(this::todayPage))
                .get("/fleet", gated(this::fleetPage))
                .post("/fleet/{deviceId}/revoke", gated(this::revoke))
                .get("/trace", gated(this::tracePage))
                .get("/exceptions", gated(this::exceptionsPage))
                .get("/exceptions/{id}", gated(this::exceptionPage))
                .post("/exceptions/{id}/resolve", gated(this::resolve))
                .get("/erp", gated(this::erpPage))
                .get("/erp/messages/{id}", gated(this::messagePage))
                .post("/erp/messages/{id}/replay", gated(this::replay))
                .post("/erp/replay-dead", gated(this::replayDead))
                .post("/erp/endpoints/{name}/enable", gated(this::enable))
                .post("/erp/endpoints/{name}/recover", gated(this::recover))
                .get("/artifacts/{sha256}", gated(artifacts));
    }

    // --- sign-in, sign-out and the gate -------------------------------------------------------------------------

    private void signInPage(ServerRequest req, ServerResponse res) {
        pages.render(res, "console/sign-in.jte", new Views.SignIn(null, ""));
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        sameOrigin(req);
        Map<String, String> form = Forms.read(req, MAX_FORM_BYTES);
        String clientId = form.getOrDefault("client_id", "");
        String address = throttle.caller(
                req.remotePeer().host(),
                req.headers().first(HeaderNames.X_FORWARDED_FOR).orElse(null));
        ConsoleSessions.SignedIn in;
        try {
            // the same limit as the token endpoint's: a wrong secret counts, anything else gives the attempt back
            LoginThrottle.Attempt attempt = throttle.attempt(address, clientId.isEmpty() ? null : clientId);
            try {
                in = sessions.signIn(clientId, form.getOrDefault("client_secret", ""));
            } catch (ProblemException e) {
                if (e.status() != 401) {
                    attempt.succeeded();
                }
                throw e;
            } catch (RuntimeException e) {
                attempt.succeeded();
                throw e;
            }
            attempt.succeeded();
        } catch (ProblemException e) {
            String why = switch (e.code()) {
                case "too_many_attempts" -> "Too many failed attempts. " + e.getMessage();
                case "insufficient_scope" -> "This client may not use the console (it needs the ops scope).";
                default -> "Unknown client or wrong secret.";
            };
            pages.render(res, Status.create(e.status()), "console/sign-in.jte", new Views.SignIn(why, clientId));
            return;
        }
        res.header(
                HeaderNames.SET_COOKIE, cookie(req, in.id(), sessions.maxAge()).text());
        redirect(res, "/ops/");
    }

    /** A page or action behind the gate: a live session, and for a change the session's CSRF token from here. */
    private Handler gated(Handler page) {
        return (req, res) -> {
            if (gate(req, res)) {
                page.handle(req, res);
            }
        };
    }

    /** Registers the session and its principal; false when it answered itself (sent the browser to sign in). */
    private boolean gate(ServerRequest req, ServerResponse res) {
        Optional<ConsoleSessions.Session> s =
                req.headers().cookies().first(COOKIE).flatMap(sessions::find);
        boolean change = !req.prologue().method().text().equals("GET");
        if (s.isEmpty()) {
            if (change) {
                throw ProblemException.unauthorized("session_required", "sign in to the console first");
            }
            redirect(res, "/ops/sign-in");
            return false;
        }
        if (change) {
            sameOrigin(req);
            String token = Forms.read(req, MAX_FORM_BYTES).getOrDefault("_csrf", "");
            if (!MessageDigest.isEqual(
                    token.getBytes(StandardCharsets.US_ASCII),
                    s.get().csrfToken().getBytes(StandardCharsets.US_ASCII))) {
                throw ProblemException.forbidden("csrf_token_invalid", "the form is stale or not from this console");
            }
        }
        req.context().register(s.get().principal());
        req.context().register(new Signed(s.get()));
        return true;
    }

    private void signOut(ServerRequest req, ServerResponse res) {
        sessions.signOut(session(req));
        res.header(HeaderNames.SET_COOKIE, cookie(req, "", Duration.ZERO).text());
        redirect(res, "/ops/sign-in");
    }

    // --- today --------------------------------------------------------------------------------------------------

    /** Routes of a service date (today in the SLA time zone unless the date picker says) and the latencies. */
    private void todayPage(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        LocalDate date = LocalDate.now(clock.withZone(sla.zone()));
        String error = null;
        Optional<String> picked = param(req, "date");
        if (picked.isPresent()) {
            try {
                date = LocalDate.parse(picked.get());
            } catch (java.time.format.DateTimeParseException e) {
                error = "invalid_date";
            }
        }
        Optional<String> after = param(req, "after")
                .filter(a -> ProtocolValidator.validateId(a, "after").isEmpty());
        RoutePage page = ops.routes(p, date, null, null, after.orElse(null), ROUTES_PER_PAGE);
        // late stops: the open stop_late exceptions of these routes
        Map<String, Integer> late = new HashMap<>();
        exceptions.list(p, "open", ExceptionKind.STOP_LATE.wire(), null, null, Limits.MAX_PULL_LIMIT).items().stream()
                .filter(e -> e.routeId() != null)
                .forEach(e -> late.merge(e.routeId(), 1, Integer::sum));
        List<Views.RouteLine> routes = page.items().stream()
                .map(r -> {
                    Charts.Progress progress = Charts.progress(r.progress(), late.getOrDefault(r.routeId(), 0));
                    return new Views.RouteLine(r, progress, Charts.progressBar(progress));
                })
                .toList();
        List<Views.Latency> charts = new ArrayList<>();
        for (LatencyKind kind : LatencyKind.values()) {
            for (LatencyWindow window : WINDOWS) {
                List<LatencySource.Bucket> buckets = latencies.buckets(p, kind, window);
                Charts.Trend trend = Charts.trend(buckets);
                String span = window == LatencyWindow.HOUR ? "last hour" : "last day";
                charts.add(new Views.Latency(
                        LatencySource.label(kind),
                        span,
                        Charts.latencyBars(buckets, LatencySource.label(kind) + ", " + span),
                        Charts.seconds(trend.latestP50()),
                        trend.direction(),
                        buckets.stream().mapToLong(LatencySource.Bucket::count).sum()));
            }
        }
        Views.Frame frame = frame(req, "Today", "today");
        if (error != null) {
            frame = new Views.Frame(frame.title(), frame.section(), frame.who(), frame.csrf(), frame.notice(), error);
        }
        pages.render(res, "console/today.jte", new Views.Today(frame, date, routes, page.nextAfter(), charts));
    }

    // --- fleet --------------------------------------------------------------------------------------------------

    /** Every device (up to the API's page limit), silent ones first, revoked ones last. */
    private void fleetPage(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        Instant now = clock.instant();
        Instant silentSince = now.minus(sla.deviceSilentAfter());
        var page = ops.devices(p, null, null, null, Limits.MAX_PULL_LIMIT);
        List<Views.Device> devices = page.items().stream()
                .map(d -> new Views.Device(
                        d,
                        d.status().equals("active")
                                && (d.lastSyncAt() == null || d.lastSyncAt().isBefore(silentSince))))
                .sorted(java.util.Comparator.comparing(
                                (Views.Device d) -> !d.summary().status().equals("active"))
                        .thenComparing(
                                d -> d.summary().lastSyncAt(),
                                java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())))
                .toList();
        pages.render(
                res,
                "console/fleet.jte",
                new Views.Fleet(
                        frame(req, "Fleet sync health", "fleet"),
                        devices,
                        now,
                        Views.age(now.minus(sla.deviceSilentAfter()), now),
                        page.nextAfter() != null));
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        String deviceId = req.path().pathParameters().get("deviceId");
        act(res, "/ops/fleet", "revoked", () -> auth.revoke(p, deviceId));
    }

    // --- trace --------------------------------------------------------------------------------------------------

    /** A search by one kind of id, and the history found as a timeline. */
    private void tracePage(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        List<TraceKey> kinds = List.of(TraceKey.values());
        TraceKey by = param(req, "by")
                .flatMap(b -> Optional.ofNullable(TraceKey.fromWire(b)))
                .orElse(TraceKey.ORDER_ID);
        String value = param(req, "q").map(String::strip).orElse("");
        String problem = null;
        List<TraceSource.Step> steps = null;
        boolean available = true;
        if (!value.isEmpty()) {
            problem = traceProblem(by, value);
            if (problem == null) {
                Optional<List<TraceSource.Step>> found = traces.trace(p, by, value);
                available = found.isPresent();
                steps = found.orElse(null);
            }
        }
        pages.render(
                res,
                "console/trace.jte",
                new Views.Trace(
                        frame(req, "Trace", "trace"),
                        kinds,
                        by.wire(),
                        value.length() > 200 ? value.substring(0, 200) : value,
                        problem,
                        steps,
                        available));
    }

    /** Why {@code value} cannot be what {@code by} searches for, or null when it can. */
    private static String traceProblem(TraceKey by, String value) {
        if (by == TraceKey.SHA256) {
            return value.matches("[0-9a-f]{64}") ? null : "An artifact hash is 64 lowercase hexadecimal characters.";
        }
        return ProtocolValidator.validateId(value, by.wire()).stream()
                .findFirst()
                .map(v -> TraceSource.label(by) + " "
                        + v.message().substring(by.wire().length()).strip() + ".")
                .orElse(null);
    }

    // --- exceptions ---------------------------------------------------------------------------------------------

    private void exceptionsPage(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        Views.ExceptionFilter f = new Views.ExceptionFilter(
                param(req, "status").orElse("open"),
                param(req, "kind").orElse(""),
                param(req, "routeId").orElse(""),
                param(req, "age").orElse(""));
        ExceptionPage page = exceptions.list(
                p,
                f.status().equals("all") ? null : f.status(),
                f.kind().isEmpty() ? null : f.kind(),
                f.routeId().isEmpty() ? null : f.routeId(),
                param(req, "before").map(ConsoleService::number).orElse(null),
                100);
        Duration olderThan = ages(f.age());
        Instant cut = clock.instant().minus(olderThan);
        List<ExceptionView> items =
                page.items().stream().filter(e -> !e.createdAt().isAfter(cut)).toList();
        pages.render(
                res,
                "console/exceptions.jte",
                new Views.Exceptions(
                        frame(req, "Exceptions", "exceptions"), f, items, KINDS, page.nextBefore(), clock.instant()));
    }

    private void exceptionPage(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        ExceptionView e = exceptions.get(p, number(req.path().pathParameters().get("id")));
        List<Views.Event> events = new ArrayList<>();
        for (ExceptionView.Finding f : e.findings() == null ? List.<ExceptionView.Finding>of() : e.findings()) {
            event(f.deviceId(), f.idempotencyKey()).ifPresent(events::add);
        }
        if (events.isEmpty()) {
            event(e.deviceId(), e.idempotencyKey()).ifPresent(events::add);
        }
        pages.render(
                res,
                "console/exception.jte",
                new Views.ExceptionDetail(frame(req, "Exception " + e.id(), "exceptions"), e, events, RESOLUTIONS));
    }

    private void resolve(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        long id = number(req.path().pathParameters().get("id"));
        Map<String, String> form = Forms.read(req, MAX_FORM_BYTES);
        String note = form.getOrDefault("note", "").strip();
        Long version = Optional.ofNullable(form.get("stopVersion"))
                .filter(v -> !v.isBlank())
                .map(ConsoleService::number)
                .orElse(null);
        act(
                res,
                "/ops/exceptions/" + id,
                "resolved",
                () -> exceptions.resolve(
                        p, id, new ExceptionResolution(form.get("resolution"), note.isEmpty() ? null : note, version)));
    }

    /** An event an exception is about, as stored. */
    private Optional<Views.Event> event(String deviceId, String key) {
        if (deviceId == null || key == null) {
            return Optional.empty();
        }
        EventRow row =
                db.read(tx -> tx.events().findByKeys(deviceId, List.of(key))).get(key);
        if (row == null) {
            return Optional.empty();
        }
        JsonNode json = row.payloadJson() == null ? null : ProtocolJson.read(row.payloadJson(), JsonNode.class);
        List<String> evidence = new ArrayList<>();
        if (json != null) {
            json.path("payload").path("evidence").forEach(r -> {
                if (r.path("sha256").isTextual()) {
                    evidence.add(r.path("sha256").asText());
                }
            });
        }
        return Optional.of(new Views.Event(
                row.deviceId(),
                row.seq(),
                row.type().toLowerCase(java.util.Locale.ROOT),
                row.verdict().toLowerCase(java.util.Locale.ROOT),
                row.capturedAt() == null ? "" : Views.time(Instant.ofEpochMilli(row.capturedAt())),
                Views.time(Instant.ofEpochMilli(row.receivedAt())),
                row.flags() == null ? "" : row.flags(),
                evidence,
                json == null ? "" : json.toPrettyString()));
    }

    // --- ERP delivery -------------------------------------------------------------------------------------------

    private void erpPage(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        String status = param(req, "status").orElse("dead");
        OutboxService.Page page = outbox.list(
                p,
                status.equals("all") ? null : status,
                param(req, "before").map(ConsoleService::number).orElse(null),
                100);
        pages.render(
                res,
                "console/erp.jte",
                new Views.Erp(
                        frame(req, "ERP delivery", "erp"),
                        outbox.endpointStates(p),
                        clock.instant(),
                        outbox.reconciliation(p),
                        status,
                        page.items(),
                        page.nextBefore()));
    }

    private void messagePage(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        var m = outbox.get(p, number(req.path().pathParameters().get("id")));
        pages.render(res, "console/message.jte", new Views.Message(frame(req, "Message " + m.id(), "erp"), m));
    }

    private void replay(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        long id = number(req.path().pathParameters().get("id"));
        act(res, "/ops/erp/messages/" + id, "replayed", () -> outbox.replay(p, id));
    }

    private void replayDead(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        act(res, "/ops/erp?status=pending", "replayed", () -> outbox.replayDead(p));
    }

    private void enable(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        String name = req.path().pathParameters().get("name");
        act(res, "/ops/erp", "enabled", () -> outbox.enable(p, name));
    }

    /** Recovers an endpoint since a time the form gives as the browser's local date and time, in UTC. */
    private void recover(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        String name = req.path().pathParameters().get("name");
        Map<String, String> form = Forms.read(req, MAX_FORM_BYTES);
        Instant since;
        try {
            since = java.time.LocalDateTime.parse(form.getOrDefault("since", ""))
                    .toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.format.DateTimeParseException e) {
            redirect(res, "/ops/erp?error=invalid_format");
            return;
        }
        act(res, "/ops/erp?status=pending", "recovered", () -> outbox.recover(p, name, since));
    }

    // --- plumbing -----------------------------------------------------------------------------------------------

    /** Runs an action and goes back to {@code page}, with a notice, or with the problem's code when it failed. */
    private static void act(ServerResponse res, String page, String notice, Runnable action) {
        String sep = page.contains("?") ? "&" : "?";
        try {
            action.run();
            redirect(res, page + sep + "notice=" + notice);
        } catch (ProblemException e) {
            if (e.status() == 401 || e.status() == 403) {
                throw e;
            }
            redirect(res, page + sep + "error=" + URLEncoder.encode(e.code(), StandardCharsets.UTF_8));
        }
    }

    private Views.Frame frame(ServerRequest req, String title, String section) {
        ConsoleSessions.Session s = session(req);
        return new Views.Frame(
                title,
                section,
                s.principal().subject(),
                s.csrfToken(),
                param(req, "notice").filter(n -> n.matches("[a-z_]{1,40}")).orElse(null),
                param(req, "error").filter(n -> n.matches("[a-z_]{1,60}")).orElse(null));
    }

    private static ConsoleSessions.Session session(ServerRequest req) {
        return req.context()
                .get(Signed.class)
                .map(Signed::session)
                .orElseThrow(() -> ProblemException.unauthorized("session_required", "sign in to the console first"));
    }

    /** A state change must come from a page of this console: refused when the browser says it comes from elsewhere. */
    private static void sameOrigin(ServerRequest req) {
        String site = req.headers().first(HeaderNames.create("Sec-Fetch-Site")).orElse("same-origin");
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        String host = req.headers().first(HeaderNames.HOST).orElse("");
        boolean sameOrigin = origin == null || origin.equals("http://" + host) || origin.equals("https://" + host);
        if (!(site.equals("same-origin") || site.equals("none")) || !sameOrigin) {
            throw ProblemException.forbidden("cross_site_request", "the console takes changes from its own pages only");
        }
    }

    /** HttpOnly, SameSite=Strict, Path=/ops; Secure when the browser reached us over TLS. */
    private static SetCookie cookie(ServerRequest req, String value, Duration maxAge) {
        SetCookie.Builder b = SetCookie.builder(COOKIE, value)
                .path("/ops")
                .httpOnly(true)
                .sameSite(SetCookie.SameSite.STRICT)
                .secure(req.isSecure());
        if (maxAge.isZero()) {
            b.maxAge(Duration.ZERO);
        }
        return b.build();
    }

    private static void redirect(ServerResponse res, String to) {
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, to);
        Pages.securityHeaders(res);
        res.send();
    }

    private static Optional<String> param(ServerRequest req, String name) {
        return req.query().first(name).filter(v -> !v.isBlank());
    }

    private static long number(String raw) {
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ProblemException.notFound("not_found", "no such item");
        }
    }

    /** The age filter: {@code 1h}, {@code 1d}, {@code 7d}, else none. */
    private static Duration ages(String age) {
        return switch (age) {
            case "1h" -> Duration.ofHours(1);
            case "1d" -> Duration.ofDays(1);
            case "7d" -> Duration.ofDays(7);
            default -> Duration.ZERO;
        };
    }
}
