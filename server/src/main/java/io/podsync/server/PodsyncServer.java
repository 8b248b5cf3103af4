package io.podsync.server;

import io.helidon.common.socket.SocketOptions;
import io.helidon.config.Config;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.accesslog.AccessLogFeature;
import io.helidon.webserver.accesslog.HostLogEntry;
import io.helidon.webserver.accesslog.RequestLineLogEntry;
import io.helidon.webserver.accesslog.SizeLogEntry;
import io.helidon.webserver.accesslog.StatusLogEntry;
import io.helidon.webserver.accesslog.TimeTakenLogEntry;
import io.helidon.webserver.accesslog.TimestampLogEntry;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.opentelemetry.api.OpenTelemetry;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.AuthService;
import io.podsync.server.auth.ClientRegistry;
import io.podsync.server.auth.DeviceGate;
import io.podsync.server.auth.KeyEncryption;
import io.podsync.server.auth.KeyRing;
import io.podsync.server.auth.LoginThrottle;
import io.podsync.server.auth.Secrets;
import io.podsync.server.auth.TokenService;
import io.podsync.server.console.ConsoleService;
import io.podsync.server.console.ConsoleSessions;
import io.podsync.server.console.OpsSources;
import io.podsync.server.erp.ErpConfig;
import io.podsync.server.erp.Forwarding;
import io.podsync.server.erp.OutboxDispatcher;
import io.podsync.server.erp.OutboxService;
import io.podsync.server.evidence.EvidenceGate;
import io.podsync.server.evidence.EvidenceService;
import io.podsync.server.evidence.UploadProcessor;
import io.podsync.server.exceptions.ExceptionQueue;
import io.podsync.server.exceptions.Resolution;
import io.podsync.server.http.Correlation;
import io.podsync.server.http.ErrorMapping;
import io.podsync.server.http.HttpHygiene;
import io.podsync.server.http.OpenApiService;
import io.podsync.server.http.ProblemDirectHandler;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.ProtocolVersionFilter;
import io.podsync.server.http.Routes;
import io.podsync.server.observe.LogFormat;
import io.podsync.server.observe.LoggingConfig;
import io.podsync.server.observe.Telemetry;
import io.podsync.server.ops.DeviceActivity;
import io.podsync.server.ops.ExceptionService;
import io.podsync.server.ops.HealthService;
import io.podsync.server.ops.Housekeeping;
import io.podsync.server.ops.Metrics;
import io.podsync.server.ops.OpsService;
import io.podsync.server.ops.Replicas;
import io.podsync.server.ops.SlaMonitor;
import io.podsync.server.ops.TraceService;
import io.podsync.server.routes.RouteReleaser;
import io.podsync.server.routes.RouteService;
import io.podsync.server.sync.CursorCodec;
import io.podsync.server.sync.MilestoneListener;
import io.podsync.server.sync.PullProcessor;
import io.podsync.server.sync.PushProcessor;
import io.podsync.server.sync.StopStates;
import io.podsync.server.sync.SyncService;
import io.podsync.storage.DatabaseKind;
import io.podsync.storage.DatabaseObserver;
import io.podsync.storage.FileModes;
import io.podsync.storage.Tx;
import io.podsync.storage.artifact.ArtifactStore;
import io.podsync.storage.artifact.LocalArtifactStore;
import io.podsync.storage.artifact.S3ArtifactStore;
import io.podsync.storage.jdbc.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A running podsync server: its database, its services and its web server. Tests start and stop these. */
public final class PodsyncServer implements AutoCloseable {
    /** {@code server.max-payload-size} unless configured: the largest upload chunk an operator may allow. */
    private static final long MAX_PAYLOAD_BYTES = 64L * 1024 * 1024;

    private static final System.Logger LOG = System.getLogger(PodsyncServer.class.getName());

    private final ServerConfig config;
    private final Database db;
    private final WebServer web;
    private final Housekeeping housekeeping;
    private final OutboxDispatcher dispatcher;
    private final Replicas replicas;
    private final SlaMonitor sla;
    private final Metrics metrics;
    private final Telemetry telemetry;

    private PodsyncServer(
            ServerConfig config,
            Database db,
            WebServer web,
            Housekeeping housekeeping,
            OutboxDispatcher dispatcher,
            Replicas replicas,
            SlaMonitor sla,
            Metrics metrics,
            Telemetry telemetry) {
        this.config = config;
        this.telemetry = telemetry;
        this.db = db;
        this.web = web;
        this.housekeeping = housekeeping;
        this.dispatcher = dispatcher;
        this.replicas = replicas;
        this.sla = sla;
        this.metrics = metrics;
    }

    /** Opens the database (migrating it), builds the services and starts listening. */
    public static PodsyncServer start(Config config) {
        return start(config, Clock.systemUTC());
    }

    public static PodsyncServer start(Config config, Clock clock) {
        return start(config, clock, null);
    }

    /** @param otel for tests: spans go there whatever {@code podsync.tracing} says; null: as configured */
    static PodsyncServer start(Config config, Clock clock, OpenTelemetry otel) {
        ServerConfig cfg = ServerConfig.from(config);
        LogFormat.install(cfg.logging());
        LOG.log(System.Logger.Level.INFO, "effective configuration: " + cfg.describe());
        FileModes.privateDirectory(cfg.dataDir(), "podsync.data-dir");
        Database db = Database.open(cfg.db());
        Replicas replicas = null;
        WebServer web = null;
        try {
            replicas = new Replicas(
                            db,
                            clock,
                            Replicas.idFor(cfg.dataDir()),
                            cfg.artifacts().identity(),
                            cfg.heartbeatInterval())
                    .join();
            Telemetry telemetry = otel == null ? Telemetry.create(cfg.tracing()) : Telemetry.of(otel);
            Services services = Services.create(cfg, db, clock, replicas, telemetry);
            Config options = config.get("server.connection-options");
            web = WebServer.builder()
                    .config(config.get("server"))
                    // What the HTTP layer refuses before routing (414, 431, 413, malformed requests) is a problem
                    // document too; the handler reads Helidon's reason (not echoed) to tell 431 from other 400s.
                    .directHandlers(ProblemDirectHandler.all())
                    .errorHandling(e -> e.includeEntity(true))
                    // A backstop over every handler's own, smaller limit (uploads' chunks, JSON bodies).
                    .maxPayloadSize(
                            config.get("server.max-payload-size").asLong().orElse(MAX_PAYLOAD_BYTES))
                    // Without TCP_NODELAY, Nagle's algorithm held back the end of an answer until the client's delayed
                    // ACK (40 ms on Linux): a push of 50 events took 48 ms with 16 devices, 17 ms with it set. Helidon
                    // defaults it to false, also when only other connection options are configured.
                    .connectionOptions(SocketOptions.builder()
                            .config(options)
                            .tcpNoDelay(options.get("tcp-no-delay").asBoolean().orElse(true))
                            .build())
                    // Features are added here only: Helidon would add any it finds on the class path.
                    .featuresDiscoverServices(false)
                    .addFeature(accessLog(cfg.logging()))
                    .routing(r -> routing(r, services))
                    .build()
                    .start();
            Housekeeping chores =
                    new Housekeeping(db, clock, services.uploads(), services.states(), cfg.evidenceMissingAfter());
            OutboxDispatcher dispatcher =
                    new OutboxDispatcher(db, cfg.erp(), clock, services.metrics(), telemetry).start();
            SlaMonitor sla = new SlaMonitor(
                    db,
                    clock,
                    services.states().exceptions(),
                    services.forwarding().milestones(),
                    cfg.sla());
            PodsyncServer server = new PodsyncServer(
                    cfg, db, web, chores.start(), dispatcher, replicas, sla.start(), services.metrics(), telemetry);
            services.health().markStarted();
            return server;
        } catch (RuntimeException e) {
            if (web != null) {
                web.stop(); // a start that fails after listening must not leave the port answering
            }
            if (replicas != null) {
                replicas.close();
            }
            db.close();
            throw e;
        }
    }

    /** Everything the routing needs, built once at start-up. */
    record Services(
            ServerConfig config,
            Metrics metrics,
            AuthFilter authFilter,
            AuthService auth,
            RouteService routes,
            SyncService sync,
            EvidenceService evidence,
            OutboxService outbox,
            ExceptionService exceptions,
            OpsService opsRead,
            TraceService trace,
            DeviceActivity deviceActivity,
            HealthService health,
            OpenApiService openApi,
            Telemetry telemetry,
            ConsoleService console,
            UploadProcessor uploads,
            StopStates states,
            Forwarding forwarding) {
        static Services create(ServerConfig cfg, Database db, Clock clock, Replicas replicas) {
            return create(cfg, db, clock, replicas, Telemetry.create(cfg.tracing()));
        }

        static Services create(ServerConfig cfg, Database db, Clock clock, Replicas replicas, Telemetry telemetry) {
            Metrics metrics = new Metrics(
                    db,
                    clock,
                    cfg.erp().endpoints().stream().map(ErpConfig.Endpoint::name).toList(),
                    cfg.sla().deviceSilentAfter());
            db.observe(new DatabaseObserver() {
                @Override
                public void written(DatabaseKind kind, long nanos, boolean ok) {
                    metrics.written(kind, nanos, ok);
                }

                @Override
                public <T> Tx.Work<T> carry(Tx.Work<T> work) {
                    return Telemetry.carry(work);
                }
            });
            KeyEncryption kek = keyEncryption(cfg, db);
            KeyRing keys = new KeyRing(db, kek, clock, cfg.accessTokenTtl());
            DeviceGate gate = new DeviceGate(db, clock);
            TokenService tokens = new TokenService(keys, clock, cfg.issuer(), cfg.audience(), cfg.accessTokenTtl());
            StopStates states = new StopStates(new ExceptionQueue(metrics::exceptionOpened));
            Forwarding forwarding = Forwarding.create(cfg.erp(), states);
            forwarding.confirmations().onConfirmed(metrics);
            PushProcessor push = new PushProcessor(
                    db,
                    clock,
                    new PushProcessor.Settings(
                            cfg.receiptRetention(), cfg.clockTrustTolerance(), cfg.futureTolerance()),
                    metrics,
                    states);
            PullProcessor pull = new PullProcessor(
                    db,
                    clock,
                    new CursorCodec(cursorKey(db, kek), clock, cfg.cursorMaxAge()),
                    MilestoneListener.all(forwarding.milestones(), metrics));
            ArtifactStore store = artifactStore(cfg.artifacts());
            UploadProcessor uploads = new UploadProcessor(
                    db,
                    store,
                    new EvidenceGate(states, metrics),
                    clock,
                    cfg.uploads(),
                    cfg.dataDir().resolve("spool"));
            ClientRegistry clients = new ClientRegistry(cfg.clients(), cfg.dataDir(), db);
            // one throttle for every way of signing in: the token endpoint, enrollment and the console
            LoginThrottle throttle = new LoginThrottle(
                    cfg.loginLimit().maxFailures(),
                    cfg.loginLimit().refill(),
                    cfg.loginLimit().trustedProxies(),
                    clock);
            EvidenceService evidence = new EvidenceService(uploads, store, db, clock);
            OutboxService outbox = new OutboxService(
                    db,
                    clock,
                    cfg.erp().endpoints().stream()
                            .map(ErpConfig.Endpoint::name)
                            .collect(java.util.stream.Collectors.toSet()));
            ExceptionService exceptions =
                    new ExceptionService(db, clock, states.exceptions(), (tx, e, resolution, now) -> {
                        tx.afterCommit(() -> metrics.exceptionResolved(e.kind(), now - e.createdAt()));
                        if (!resolution.equals(Resolution.CORRECTED.wire()) && e.stopId() != null) {
                            forwarding.confirmations().reconsider(tx, e.stopId(), now);
                        }
                    });
            OpsService opsRead = new OpsService(db, clock);
            TraceService trace = new TraceService(
                    db,
                    java.util.Arrays.stream(io.podsync.protocol.ErpEventType.values())
                            .anyMatch(t -> t.isPod() && cfg.erp().anyWants(t)));
            AuthService auth =
                    new AuthService(db, clock, tokens, keys, clients, gate, cfg.enrollmentCodeTtl(), throttle);
            return new Services(
                    cfg,
                    metrics,
                    new AuthFilter(
                            tokens, gate, AuthFilter.scrapeToken(cfg.metrics().scrapeTokenFile())),
                    auth,
                    new RouteService(
                            new RouteReleaser(db, clock, forwarding.milestones()),
                            cfg.maxBodyBytes(),
                            metrics::routeReleased),
                    new SyncService(push, pull, cfg.maxEventsPerPush(), cfg.maxBodyBytes()),
                    evidence,
                    outbox,
                    exceptions,
                    opsRead,
                    trace,
                    new DeviceActivity(db, clock),
                    new HealthService(List.of(
                            new HealthService.Check(
                                    "database", () -> db.isHealthy() ? null : "the database does not answer"),
                            new HealthService.Check(
                                    "objectStore",
                                    () -> store.isHealthy() ? null : "the evidence store does not answer"),
                            new HealthService.Check("replicas", replicas::problem))),
                    new OpenApiService(),
                    telemetry,
                    new ConsoleService(
                            new ConsoleSessions(
                                    db,
                                    clients,
                                    clock,
                                    cfg.console().idleTimeout(),
                                    cfg.console().maxAge()),
                            throttle,
                            exceptions,
                            outbox,
                            auth,
                            opsRead,
                            OpsSources.latencies(opsRead),
                            OpsSources.trace(trace),
                            cfg.sla(),
                            evidence.artifactReader(),
                            db,
                            clock),
                    uploads,
                    states,
                    forwarding);
        }

        private static ArtifactStore artifactStore(ServerConfig.ArtifactsConfig a) {
            return a.s3() == null ? new LocalArtifactStore(a.localDir()) : new S3ArtifactStore(a.s3());
        }

        /**
         * The key-encryption key; the embedded default keeps a generated one beside its database file, PostgreSQL
         * needs one configured (the same for every replica).
         */
        private static KeyEncryption keyEncryption(ServerConfig cfg, Database db) {
            String url = cfg.db().url();
            Path defaultFile = null;
            if (db.kind() == DatabaseKind.SQLITE) {
                String file = url.substring("jdbc:sqlite:".length()).split("\\?", 2)[0];
                defaultFile = Path.of(file).toAbsolutePath().resolveSibling("podsync.key");
            }
            ServerConfig.KeysConfig k = cfg.keys();
            return KeyEncryption.configured(k.encryptionKey(), k.encryptionKeyFile(), defaultFile);
        }

        /**
         * Shared by every replica through the database, so a cursor from one replica works on another; sealed with
         * the key-encryption key like the signing keys.
         */
        private static byte[] cursorKey(Database db, KeyEncryption kek) {
            String name = "cursor.hmac.key";
            String stored = db.write(tx -> {
                String value = tx.settings().putIfAbsent(name, kek.seal(Secrets.random(32), name));
                if (!kek.isCurrent(value)) { // stored plain by an older version, or sealed with a retired key
                    String resealed = kek.seal(kek.open(value, name), name);
                    if (tx.settings().replace(name, value, resealed)) {
                        value = resealed;
                    }
                }
                return value;
            });
            return Base64.getUrlDecoder().decode(kek.open(stored, name));
        }
    }

    /**
     * The access log: one line per request, after its answer, with the caller, the request line, the status, the
     * size, the time taken in milliseconds and the correlation id (logger {@code io.helidon.webserver.AccessLog}).
     */
    private static AccessLogFeature accessLog(LoggingConfig cfg) {
        return AccessLogFeature.builder()
                .enabled(cfg.accessLog())
                .addEntry(HostLogEntry.create())
                .addEntry(TimestampLogEntry.create())
                .addEntry(RequestLineLogEntry.create())
                .addEntry(StatusLogEntry.create())
                .addEntry(SizeLogEntry.create())
                .addEntry(
                        TimeTakenLogEntry.builder().unit(TimeUnit.MILLISECONDS).build())
                .addEntry(c -> "correlationId=" + Correlation.of(c.serverRequest()))
                .build();
    }

    /** The routing: filters first (correlation, version, authentication), then the services, then the fallback. */
    static void routing(HttpRouting.Builder routing, Services s) {
        ErrorMapping.register(routing);
        routing.addFilter(new HttpHygiene(s.config().maxBodyBytes()))
                .addFilter(new Correlation())
                .addFilter(s.telemetry().filter())
                .addFilter(Routes.of(r -> servicesAndConsole(r, s)))
                .addFilter(s.metrics().httpFilter())
                .addFilter(new ProtocolVersionFilter())
                .addFilter(s.authFilter())
                .addFilter(s.deviceActivity());
        servicesAndConsole(routing, s);
        routing.any((req, res) -> {
            throw new ProblemException(
                    Status.NOT_FOUND_404.code(),
                    "not_found",
                    "Not found",
                    "no such endpoint: " + req.prologue().method().text() + " "
                            + req.path().path(),
                    null,
                    null);
        });
    }

    /** The API and the console's pages: what the server serves, and what {@link Routes} knows as served. */
    private static void servicesAndConsole(HttpRules rules, Services s) {
        services(rules, s);
        rules.register("/ops", s.console()); // pages for people, not API operations: not in the OpenAPI document
    }

    /** Every endpoint: the services and where they are mounted. The OpenAPI test reads the routes from here. */
    static void services(HttpRules rules, Services s) {
        rules.register(s.auth())
                .register(s.evidence())
                .register(s.outbox())
                .register("/v1/routes", s.routes())
                .register("/v1/sync", s.sync())
                .register("/v1/ops/exceptions", s.exceptions())
                .register(s.opsRead())
                .register(s.trace())
                .register("/observe/health", s.health())
                .register("/health", s.health()) // the paths before /observe
                .register("/metrics", s.metrics())
                .register(s.openApi());
    }

    public int port() {
        return web.port();
    }

    /** The configuration the server runs with. */
    public ServerConfig config() {
        return config;
    }

    /** The web server's configuration as it runs, defaults included. */
    WebServerConfig webConfig() {
        return web.prototype();
    }

    public Database database() {
        return db;
    }

    /** The ERP dispatcher, for tests that drive it by hand. */
    public OutboxDispatcher dispatcher() {
        return dispatcher;
    }

    /** The SLA timers, for tests that move the clock and check at once. */
    public SlaMonitor sla() {
        return sla;
    }

    @Override
    public void close() {
        sla.close();
        dispatcher.close();
        housekeeping.close();
        web.stop();
        replicas.close();
        metrics.close();
        telemetry.close();
        db.close();
    }
}
