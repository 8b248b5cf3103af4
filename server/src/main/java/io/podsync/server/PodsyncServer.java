package io.podsync.server;

import io.helidon.common.socket.SocketOptions;
import io.helidon.config.Config;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.core.instrument.Timer;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.AuthService;
import io.podsync.server.auth.ClientRegistry;
import io.podsync.server.auth.DeviceGate;
import io.podsync.server.auth.KeyRing;
import io.podsync.server.auth.Secrets;
import io.podsync.server.auth.TokenService;
import io.podsync.server.erp.ErpConfig;
import io.podsync.server.erp.Forwarding;
import io.podsync.server.erp.OutboxDispatcher;
import io.podsync.server.erp.OutboxService;
import io.podsync.server.evidence.EvidenceGate;
import io.podsync.server.evidence.EvidenceService;
import io.podsync.server.evidence.UploadProcessor;
import io.podsync.server.http.Correlation;
import io.podsync.server.http.ErrorMapping;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.ProtocolVersionFilter;
import io.podsync.server.ops.ExceptionService;
import io.podsync.server.ops.HealthService;
import io.podsync.server.ops.Housekeeping;
import io.podsync.server.ops.Metrics;
import io.podsync.server.ops.SlaMonitor;
import io.podsync.server.routes.RouteReleaser;
import io.podsync.server.routes.RouteService;
import io.podsync.server.sync.CursorCodec;
import io.podsync.server.sync.Exceptions;
import io.podsync.server.sync.PullProcessor;
import io.podsync.server.sync.PushProcessor;
import io.podsync.server.sync.StopStates;
import io.podsync.server.sync.SyncService;
import io.podsync.storage.Database;
import io.podsync.storage.artifact.ArtifactStore;
import io.podsync.storage.artifact.LocalArtifactStore;
import io.podsync.storage.artifact.S3ArtifactStore;
import java.time.Clock;
import java.util.Base64;

/** A running podsync server: its database, its services and its web server. Tests start and stop these. */
public final class PodsyncServer implements AutoCloseable {
    private final Database db;
    private final WebServer web;
    private final Housekeeping housekeeping;
    private final OutboxDispatcher dispatcher;
    private final SlaMonitor sla;

    private PodsyncServer(
            Database db, WebServer web, Housekeeping housekeeping, OutboxDispatcher dispatcher, SlaMonitor sla) {
        this.db = db;
        this.web = web;
        this.housekeeping = housekeeping;
        this.dispatcher = dispatcher;
        this.sla = sla;
    }

    /** Opens the database (migrating it), builds the services and starts listening. */
    public static PodsyncServer start(Config config) {
        return start(config, Clock.systemUTC());
    }

    public static PodsyncServer start(Config config, Clock clock) {
        ServerConfig cfg = ServerConfig.from(config);
        Database db = Database.open(cfg.db());
        try {
            Services services = Services.create(cfg, db, clock);
            Config options = config.get("server.connection-options");
            WebServer web = WebServer.builder()
                    .config(config.get("server"))
                    // Without TCP_NODELAY, Nagle's algorithm held back the end of an answer until the client's delayed
                    // ACK (40 ms on Linux): a push of 50 events took 48 ms with 16 devices, 17 ms with it set. Helidon
                    // defaults it to false, also when only other connection options are configured.
                    .connectionOptions(SocketOptions.builder()
                            .config(options)
                            .tcpNoDelay(options.get("tcp-no-delay").asBoolean().orElse(true))
                            .build())
                    .routing(r -> routing(r, services))
                    .build()
                    .start();
            Housekeeping chores =
                    new Housekeeping(db, clock, services.uploads(), services.states(), cfg.evidenceMissingAfter());
            OutboxDispatcher dispatcher = new OutboxDispatcher(db, cfg.erp(), clock, services.metrics()).start();
            SlaMonitor sla = new SlaMonitor(
                    db,
                    clock,
                    services.states().exceptions(),
                    services.forwarding().milestones(),
                    cfg.sla());
            return new PodsyncServer(db, web, chores.start(), dispatcher, sla.start());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Everything the routing needs, built once at start-up. */
    record Services(
            ServerConfig config,
            Database db,
            Metrics metrics,
            AuthFilter authFilter,
            AuthService auth,
            RouteService routes,
            SyncService sync,
            EvidenceService evidence,
            OutboxService outbox,
            ExceptionService exceptions,
            HealthService health,
            ArtifactStore store,
            UploadProcessor uploads,
            StopStates states,
            Forwarding forwarding) {
        static Services create(ServerConfig cfg, Database db, Clock clock) {
            Metrics metrics = new Metrics(db);
            KeyRing keys = new KeyRing(db, clock, cfg.accessTokenTtl());
            DeviceGate gate = new DeviceGate(db, clock);
            TokenService tokens = new TokenService(keys, clock, cfg.issuer(), cfg.audience(), cfg.accessTokenTtl());
            StopStates states = new StopStates(new Exceptions(metrics));
            Forwarding forwarding = Forwarding.create(cfg.erp(), states);
            PushProcessor push = new PushProcessor(
                    db,
                    clock,
                    new PushProcessor.Settings(
                            cfg.receiptRetention(), cfg.clockTrustTolerance(), cfg.futureTolerance()),
                    metrics,
                    states);
            PullProcessor pull = new PullProcessor(
                    db, clock, new CursorCodec(cursorKey(db), clock, cfg.cursorMaxAge()), forwarding.milestones());
            ArtifactStore store = artifactStore(cfg.artifacts());
            UploadProcessor uploads =
                    new UploadProcessor(db, store, new EvidenceGate(states, metrics), clock, cfg.uploads());
            return new Services(
                    cfg,
                    db,
                    metrics,
                    new AuthFilter(tokens, gate),
                    new AuthService(
                            db, clock, tokens, keys, new ClientRegistry(cfg, db), gate, cfg.enrollmentCodeTtl()),
                    new RouteService(
                            new RouteReleaser(db, clock, forwarding.milestones()),
                            cfg.maxBodyBytes(),
                            metrics::routeReleased),
                    new SyncService(push, pull, cfg.maxEventsPerPush(), cfg.maxBodyBytes()),
                    new EvidenceService(uploads, store, db, clock),
                    new OutboxService(
                            db,
                            clock,
                            cfg.erp().endpoints().stream()
                                    .map(ErpConfig.Endpoint::name)
                                    .collect(java.util.stream.Collectors.toSet())),
                    new ExceptionService(db, clock, states.exceptions(), (tx, e, resolution, now) -> {
                        if (!resolution.equals("corrected") && e.stopId() != null) {
                            forwarding.confirmations().reconsider(tx, e.stopId(), now);
                        }
                    }),
                    new HealthService(db, store),
                    store,
                    uploads,
                    states,
                    forwarding);
        }

        private static ArtifactStore artifactStore(ServerConfig.ArtifactsConfig a) {
            return a.s3() == null ? new LocalArtifactStore(a.localDir()) : new S3ArtifactStore(a.s3());
        }

        /** Shared by every replica through the database, so a cursor from one replica works on another. */
        private static byte[] cursorKey(Database db) {
            String stored = db.write(tx -> tx.settings().putIfAbsent("cursor.hmac.key", Secrets.random(32)));
            return Base64.getUrlDecoder().decode(stored);
        }
    }

    /** The routing: filters first (correlation, version, authentication), then the services, then the fallback. */
    static void routing(HttpRouting.Builder routing, Services s) {
        ErrorMapping.register(routing);
        routing.addFilter(new Correlation())
                .addFilter(new ProtocolVersionFilter())
                .addFilter(s.authFilter())
                .addFilter((chain, req, res) -> {
                    Timer timer = switch (req.path().path()) {
                        case "/v1/sync/push" -> s.metrics().pushTimer();
                        case "/v1/sync/pull" -> s.metrics().pullTimer();
                        default -> null;
                    };
                    if (timer == null) {
                        chain.proceed();
                    } else {
                        timer.record(chain::proceed);
                    }
                })
                .register(s.auth())
                .register(s.evidence())
                .register(s.outbox())
                .register("/v1/routes", s.routes())
                .register("/v1/sync", s.sync())
                .register("/v1/ops/exceptions", s.exceptions())
                .register("/health", s.health())
                .register("/metrics", s.metrics())
                .any((req, res) -> {
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

    public int port() {
        return web.port();
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
        db.close();
    }
}
