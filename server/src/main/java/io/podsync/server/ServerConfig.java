package io.podsync.server;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.podsync.protocol.Limits;
import io.podsync.server.auth.ClientConfig;
import io.podsync.server.erp.ErpConfig;
import io.podsync.server.evidence.UploadProcessor;
import io.podsync.server.observe.LoggingConfig;
import io.podsync.server.observe.TracingConfig;
import io.podsync.server.ops.SlaMonitor;
import io.podsync.storage.DatabaseConfig;
import io.podsync.storage.artifact.S3Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Every configuration key of the server, typed, with its default. Keys live under {@code podsync.} in
 * {@code application.yaml}, in the operator's file ({@code podsync.config}), in system properties and in environment
 * variables ({@link #load}). The keys the server knows are the keys read here ({@link RecordingConfig}): any other key
 * under {@code podsync.} stops the start, naming the closest known one.
 *
 * @param configFile {@code podsync.config}: the operator's YAML file, layered over the built-in defaults; system
 *     properties and environment variables override it (none by default)
 * @param dataDir {@code podsync.data-dir}: where the embedded database and files live (default {@code ./data})
 * @param db {@code podsync.db.url|user|password|pool-size|timeout|statement-timeout}: the database; default a SQLite
 *     file in the data dir. {@code timeout} (default PT5S) bounds every wait for a connection and all tries of a write
 *     together: past it a request answers 503 with {@code Retry-After}. {@code statement-timeout} (default PT30S,
 *     PostgreSQL) bounds each statement's wait for the server's answer
 * @param issuer {@code podsync.auth.issuer}: the {@code iss} of access tokens
 * @param audience {@code podsync.auth.audience}: the {@code aud} of access tokens
 * @param accessTokenTtl {@code podsync.auth.access-token-ttl}: lifetime of access tokens (default 15 minutes)
 * @param enrollmentCodeTtl {@code podsync.auth.enrollment-code-ttl}: lifetime of enrollment codes (default 1 day)
 * @param clients {@code podsync.auth.clients}: ERP and ops API clients (id, secret, scopes); none configured means
 *     bootstrap credentials are generated into the data dir at first start
 * @param receiptRetention {@code podsync.sync.receipt-retention}: how long duplicate pushes get the stored receipt
 *     (default 30 days; published in the docs)
 * @param cursorMaxAge {@code podsync.sync.cursor-max-age}: a pull cursor older than this must resync (default 30 days)
 * @param clockTrustTolerance {@code podsync.sync.clock-trust-tolerance}: device clocks within this of the server are
 *     trusted as they are; beyond it capture times are corrected by the measured offset (default 5 s)
 * @param futureTolerance {@code podsync.sync.future-tolerance}: a corrected capture time later than receipt by more
 *     than this is flagged (default 5 minutes)
 * @param maxEventsPerPush {@code podsync.sync.max-events-per-push}: larger batches get 413 (default 500)
 * @param maxBodyBytes {@code podsync.http.max-body-bytes}: larger JSON bodies get 413 (default 4 MiB)
 * @param artifacts {@code podsync.artifacts.*}: where evidence bytes are stored
 * @param uploads {@code podsync.uploads.*}: limits of evidence uploads
 * @param evidenceMissingAfter {@code podsync.evidence.missing-after}: an event still waiting for its evidence after
 *     this long opens an exception for ops (default 2 hours)
 * @param erp {@code podsync.erp.*}: ERP endpoints and forwarding, see {@link ErpConfig}
 * @param keys {@code podsync.keys.*}: the key-encryption key that seals the secrets in the database
 * @param loginLimit {@code podsync.auth.rate-limit.*} and {@code podsync.http.trusted-proxies}: how failed sign-ins
 *     are slowed down
 * @param heartbeatInterval {@code podsync.replicas.heartbeat-interval}: how often a replica says in the database that
 *     it is alive (default PT5S); one silent for three intervals counts as gone
 * @param sla {@code podsync.sla.*}: the SLA timers: {@code stop-late-after} (grace after a stop's time window ends
 *     with no arrival, default PT0S), {@code route-dispatch-lead} (a route must be on a device of its driver this long
 *     before its service date begins, default PT2H), {@code device-silent-after} (a device with a route in progress
 *     may go this long without syncing, default PT30M), {@code time-zone} (of service dates, default UTC), {@code
 *     check-interval} (default PT1M)
 * @param metrics {@code podsync.metrics.*}: how {@code /metrics} may be scraped
 * @param logging {@code podsync.logging.*}: the log's format and the access log
 * @param tracing {@code podsync.tracing.*}: OpenTelemetry spans and where they are exported
 * @param console {@code podsync.console.*}: the operations console's sessions
 */
public record ServerConfig(
        Path configFile,
        Path dataDir,
        DatabaseConfig db,
        String issuer,
        String audience,
        Duration accessTokenTtl,
        Duration enrollmentCodeTtl,
        List<ClientConfig> clients,
        Duration receiptRetention,
        Duration cursorMaxAge,
        Duration clockTrustTolerance,
        Duration futureTolerance,
        int maxEventsPerPush,
        int maxBodyBytes,
        ArtifactsConfig artifacts,
        UploadProcessor.Settings uploads,
        Duration evidenceMissingAfter,
        ErpConfig erp,
        KeysConfig keys,
        LoginLimit loginLimit,
        Duration heartbeatInterval,
        SlaMonitor.Settings sla,
        MetricsConfig metrics,
        LoggingConfig logging,
        TracingConfig tracing,
        ConsoleConfig console) {

    /**
     * Scraping {@code /metrics}: with the bearer token of an API client of scope {@code ops} or {@code metrics}
     * (OAuth 2.0 client credentials), or with a static credential.
     *
     * @param scrapeTokenFile {@code podsync.metrics.scrape-token-file}: a file whose content (at least 32 characters,
     *     surrounding white space ignored) is accepted as the bearer token of {@code /metrics} and of nothing else, for
     *     a scraper without OAuth 2.0 (Prometheus' {@code authorization: credentials_file}); default none
     */
    public record MetricsConfig(Path scrapeTokenFile) {}

    /**
     * The operations console's sessions.
     *
     * @param idleTimeout {@code podsync.console.idle-timeout}: a session unused this long ends (default PT30M)
     * @param maxAge {@code podsync.console.max-age}: a session ends this long after sign-in anyway (default PT12H)
     */
    public record ConsoleConfig(Duration idleTimeout, Duration maxAge) {}

    /**
     * Failed sign-ins at {@code /v1/auth/token} and {@code /v1/auth/enroll}, per caller address and per API client
     * from that address (see {@link io.podsync.server.auth.LoginThrottle}).
     *
     * @param maxFailures {@code podsync.auth.rate-limit.max-failures}: failures of one client from one address before
     *     429 (default 10; an address has five times as many)
     * @param refill {@code podsync.auth.rate-limit.refill}: one more failure allowed every (default PT6S: 10 a minute)
     * @param trustedProxies {@code podsync.http.trusted-proxies}: addresses or CIDR ranges of load balancers whose
     *     {@code X-Forwarded-For} names the caller (default none: the socket's peer is the caller)
     */
    public record LoginLimit(int maxFailures, Duration refill, List<String> trustedProxies) {}

    /**
     * The key-encryption key (see {@link io.podsync.server.auth.KeyEncryption}); at most one of the two is set.
     *
     * @param encryptionKey {@code podsync.keys.encryption-key}: the keys themselves, 32 bytes in base64 each, comma
     *     separated (the first seals; the others open what older keys sealed, for rotation); typically from the
     *     environment ({@code PODSYNC_KEYS_ENCRYPTION_DASH_KEY})
     * @param encryptionKeyFile {@code podsync.keys.encryption-key-file}: a file holding them, one per line. With
     *     neither, the embedded default (SQLite) generates {@code podsync.key} beside the database; PostgreSQL
     *     requires one
     */
    public record KeysConfig(String encryptionKey, Path encryptionKeyFile) {
        @Override
        public String toString() {
            return "KeysConfig[encryptionKey=" + (encryptionKey == null ? "none" : "****") + ", encryptionKeyFile="
                    + encryptionKeyFile + "]";
        }
    }

    /**
     * Where artifacts live.
     *
     * @param store {@code podsync.artifacts.store}: {@code local} (default, a directory of this replica's) or {@code
     *     s3}; several replicas on one database need {@code s3}
     * @param localDir {@code podsync.artifacts.local-dir}: default {@code <data-dir>/artifacts}
     * @param s3 {@code podsync.artifacts.s3.endpoint|region|bucket|access-key|secret-key|prefix}
     */
    public record ArtifactsConfig(String store, Path localDir, S3Config s3) {
        /** Where evidence is, as the replicas compare it: {@code local}, or the S3 endpoint, bucket and prefix. */
        public String identity() {
            return s3 == null ? "local" : "s3 " + s3.endpoint() + "/" + s3.bucket() + "/" + s3.prefix();
        }
    }

    /**
     * The configuration as the server reads it, highest priority first: system properties, environment variables, the
     * operator's file named by {@code podsync.config} (a system property or {@code PODSYNC_CONFIG}), and the built-in
     * {@code application.yaml}.
     */
    public static Config load() {
        Config base = Config.create();
        String file = base.get("podsync.config").asString().orElse(null);
        if (file == null) {
            return base;
        }
        Path path = Path.of(file);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw bad("podsync.config", "no readable file " + path.toAbsolutePath());
        }
        // The builder puts environment variables and system properties first by itself.
        return Config.builder()
                .sources(ConfigSources.file(path), ConfigSources.classpath("application.yaml"))
                .build();
    }

    /**
     * Reads the {@code podsync} node; throws {@link IllegalArgumentException} naming the key on a bad value, and on a
     * key under {@code podsync.} that nothing reads (with the closest known key).
     */
    public static ServerConfig from(Config root) {
        RecordingConfig recorded = RecordingConfig.of(root);
        ServerConfig config = read(recorded.get("podsync"));
        recorded.rejectUnknown("podsync");
        return config;
    }

    /**
     * Every key that the server reads from {@code config}, list indices written {@code []}: with lists and the S3 store
     * configured, every key there is.
     */
    static java.util.Set<String> knownKeys(Config config) {
        RecordingConfig recorded = RecordingConfig.of(config);
        read(recorded.get("podsync"));
        return recorded.readKeys();
    }

    /** The environment variable that sets a key, as Helidon maps them ({@code -} is {@code _DASH_}). */
    static String environmentVariable(String key) {
        return key.replace("[]", ".0").replace("-", "_DASH_").replace('.', '_').toUpperCase(java.util.Locale.ROOT);
    }

    private static ServerConfig read(Config c) {
        Path configFile = c.get("config").asString().map(Path::of).orElse(null);
        Path dataDir = Path.of(c.get("data-dir").asString().orElse("data"));
        Config db = c.get("db");
        String url = db.get("url")
                .asString()
                .orElse("jdbc:sqlite:" + dataDir.resolve("podsync.db").toAbsolutePath());
        DatabaseConfig dbConfig;
        try {
            dbConfig = new DatabaseConfig(
                    url,
                    db.get("user").asString().orElse(null),
                    db.get("password").asString().orElse(null),
                    db.get("pool-size").asInt().orElse(8),
                    duration(db, "timeout", DatabaseConfig.DEFAULT_TIMEOUT),
                    duration(db, "statement-timeout", DatabaseConfig.DEFAULT_STATEMENT_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration podsync." + e.getMessage(), e);
        }
        Config auth = c.get("auth");
        List<ClientConfig> clients = new ArrayList<>();
        for (Config client : auth.get("clients").asNodeList().orElse(List.of())) {
            String id = client.get("id").asString().orElseThrow(() -> bad("podsync.auth.clients[].id", "missing"));
            String secret =
                    client.get("secret").asString().orElseThrow(() -> bad("podsync.auth.clients[].secret", "missing"));
            if (secret.length() < 16) {
                throw bad("podsync.auth.clients[" + id + "].secret", "must be at least 16 characters");
            }
            List<String> scopes = client.get("scopes").asList(String.class).orElse(List.of());
            for (String s : scopes) {
                if (!s.equals("erp") && !s.equals("ops") && !s.equals("metrics")) {
                    throw bad(
                            "podsync.auth.clients[" + id + "].scopes", "may hold erp, ops and metrics only, got " + s);
                }
            }
            clients.add(new ClientConfig(id, secret, List.copyOf(scopes)));
        }
        Config sync = c.get("sync");
        Duration heartbeat = duration(c.get("replicas"), "heartbeat-interval", Duration.ofSeconds(5));
        if (heartbeat.toMillis() < 100 || heartbeat.compareTo(Duration.ofMinutes(1)) > 0) {
            throw bad("podsync.replicas.heartbeat-interval", "must be between PT0.1S and PT1M, got " + heartbeat);
        }
        return new ServerConfig(
                configFile,
                dataDir,
                dbConfig,
                auth.get("issuer").asString().orElse("podsync"),
                auth.get("audience").asString().orElse("podsync-api"),
                duration(auth, "access-token-ttl", Duration.ofMinutes(15)),
                duration(auth, "enrollment-code-ttl", Duration.ofDays(1)),
                List.copyOf(clients),
                duration(sync, "receipt-retention", Duration.ofDays(30)),
                duration(sync, "cursor-max-age", Duration.ofDays(30)),
                duration(sync, "clock-trust-tolerance", Duration.ofSeconds(5)),
                duration(sync, "future-tolerance", Duration.ofMinutes(5)),
                bounded(sync, "max-events-per-push", Limits.MAX_EVENTS_PER_PUSH, 1, Limits.MAX_EVENTS_PER_PUSH),
                bounded(c.get("http"), "max-body-bytes", Limits.MAX_JSON_BODY_BYTES, 1024, 64 * 1024 * 1024),
                artifacts(c.get("artifacts"), dataDir),
                uploads(c.get("uploads")),
                duration(c.get("evidence"), "missing-after", Duration.ofHours(2)),
                ErpConfig.from(c),
                new KeysConfig(
                        c.get("keys.encryption-key").asString().orElse(null),
                        c.get("keys.encryption-key-file")
                                .asString()
                                .map(Path::of)
                                .orElse(null)),
                new LoginLimit(
                        bounded(auth.get("rate-limit"), "max-failures", 10, 1, 10_000),
                        duration(auth.get("rate-limit"), "refill", Duration.ofSeconds(6)),
                        c.get("http.trusted-proxies").asList(String.class).orElse(List.of())),
                heartbeat,
                sla(c.get("sla")),
                new MetricsConfig(c.get("metrics.scrape-token-file")
                        .asString()
                        .map(Path::of)
                        .orElse(null)),
                logging(c.get("logging")),
                tracing(c.get("tracing")),
                new ConsoleConfig(
                        duration(c.get("console"), "idle-timeout", Duration.ofMinutes(30)),
                        duration(c.get("console"), "max-age", Duration.ofHours(12))));
    }

    /**
     * The configuration in effect, defaults included, for the log: every component by name, secrets masked (a
     * component whose name says secret, password or key). Walks the records rather than trusting their
     * {@code toString}, so that a new secret setting is masked by its name alone.
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        describe(this, out);
        return out.toString();
    }

    private static final java.util.regex.Pattern SECRET =
            java.util.regex.Pattern.compile("(?i).*(secret|password|key).*");

    private static void describe(Object value, StringBuilder out) {
        if (value instanceof Record r) {
            out.append('{');
            var components = r.getClass().getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                if (i > 0) {
                    out.append(", ");
                }
                Object v;
                try {
                    v = components[i].getAccessor().invoke(r);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                out.append(components[i].getName()).append('=');
                if (v != null && SECRET.matcher(components[i].getName()).matches()) {
                    out.append("****");
                } else {
                    describe(v, out);
                }
            }
            out.append('}');
        } else if (value instanceof java.util.Collection<?> list) {
            out.append('[');
            int i = 0;
            for (Object v : list) {
                out.append(i++ > 0 ? ", " : "");
                describe(v, out);
            }
            out.append(']');
        } else if (value instanceof String || value instanceof java.net.URI) {
            out.append(redacted(value.toString()));
        } else {
            out.append(value);
        }
    }

    private static final java.util.regex.Pattern USER_INFO =
            java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9+.:-]*://)[^/?#@]*@");

    /**
     * A URL without what may hold a secret: its parameters (a JDBC URL's password, a webhook URL's token) and its user
     * information ({@code https://user:password@host}).
     */
    static String redacted(String text) {
        String out = text.contains("?") ? text.substring(0, text.indexOf('?')) : text;
        return USER_INFO.matcher(out).replaceFirst("$1****@");
    }

    private static SlaMonitor.Settings sla(Config s) {
        String zone = s.get("time-zone").asString().orElse("UTC");
        ZoneId zoneId;
        try {
            zoneId = ZoneId.of(zone);
        } catch (java.time.DateTimeException e) {
            throw bad("podsync.sla.time-zone", "is not a time zone (such as UTC or Europe/Amsterdam): " + zone);
        }
        Duration grace =
                s.get("stop-late-after").asString().isPresent() ? notNegative(s, "stop-late-after") : Duration.ZERO;
        return new SlaMonitor.Settings(
                grace,
                duration(s, "route-dispatch-lead", Duration.ofHours(2)),
                duration(s, "device-silent-after", Duration.ofMinutes(30)),
                zoneId,
                duration(s, "check-interval", Duration.ofMinutes(1)));
    }

    /** A duration that may be zero. */
    private static Duration notNegative(Config node, String key) {
        String raw = node.get(key).asString().orElseThrow();
        try {
            Duration d = Duration.parse(raw);
            if (d.isNegative()) {
                throw bad(node.key() + "." + key, "must not be negative");
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw bad(node.key() + "." + key, "must be an ISO-8601 duration such as PT15M, got " + raw);
        }
    }

    private static LoggingConfig logging(Config l) {
        String format = l.get("format").asString().orElse("text");
        if (!format.equals("text") && !format.equals("json")) {
            throw bad("podsync.logging.format", "is text or json, got " + format);
        }
        return new LoggingConfig(format, bool(l, "access-log", true));
    }

    private static TracingConfig tracing(Config t) {
        String endpoint = t.get("otlp-endpoint").asString().orElse("http://localhost:4318");
        java.net.URI uri;
        try {
            uri = java.net.URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw bad("podsync.tracing.otlp-endpoint", "must be an http(s) URL, got " + endpoint);
        }
        if (uri.getScheme() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw bad("podsync.tracing.otlp-endpoint", "must be an http(s) URL, got " + endpoint);
        }
        String ratio = t.get("sample-ratio").asString().orElse("1");
        double r;
        try {
            r = Double.parseDouble(ratio);
        } catch (NumberFormatException e) {
            r = -1;
        }
        if (!(r >= 0 && r <= 1)) {
            throw bad("podsync.tracing.sample-ratio", "must be a number from 0 to 1, got " + ratio);
        }
        return new TracingConfig(
                bool(t, "enabled", false), uri, t.get("service-name").asString().orElse("podsync"), r);
    }

    private static boolean bool(Config node, String key, boolean dflt) {
        String raw = node.get(key).asString().orElse(null);
        if (raw == null) {
            return dflt;
        }
        if (!raw.equals("true") && !raw.equals("false")) {
            throw bad(node.key() + "." + key, "is true or false, got " + raw);
        }
        return Boolean.parseBoolean(raw);
    }

    private static ArtifactsConfig artifacts(Config a, Path dataDir) {
        String store = a.get("store").asString().orElse("local");
        Path localDir = Path.of(a.get("local-dir")
                .asString()
                .orElse(dataDir.resolve("artifacts").toString()));
        // Every S3 key is read whichever store is chosen, so that none of them counts as unknown on a local store.
        Config s3 = a.get("s3");
        String endpoint = s3.get("endpoint").asString().orElse(null);
        String region = s3.get("region").asString().orElse("us-east-1");
        String bucket = s3.get("bucket").asString().orElse(null);
        String accessKey = s3.get("access-key").asString().orElse(null);
        String secretKey = s3.get("secret-key").asString().orElse(null);
        String prefix = s3.get("prefix").asString().orElse("");
        if (store.equals("local")) {
            return new ArtifactsConfig(store, localDir, null);
        }
        if (!store.equals("s3")) {
            throw bad("podsync.artifacts.store", "is local or s3, got " + store);
        }
        if (endpoint == null) {
            throw bad("podsync.artifacts.s3.endpoint", "missing");
        }
        try {
            java.net.URI u = java.net.URI.create(endpoint);
            if (u.getScheme() == null
                    || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw bad("podsync.artifacts.s3.endpoint", "must be an http(s) URL, got " + endpoint);
            }
        } catch (IllegalArgumentException e) {
            throw bad("podsync.artifacts.s3.endpoint", "must be an http(s) URL, got " + endpoint);
        }
        return new ArtifactsConfig(
                store,
                localDir,
                new S3Config(
                        endpoint,
                        region,
                        required(bucket, "podsync.artifacts.s3.bucket"),
                        required(accessKey, "podsync.artifacts.s3.access-key"),
                        required(secretKey, "podsync.artifacts.s3.secret-key"),
                        prefix));
    }

    private static String required(String value, String key) {
        if (value == null) {
            throw bad(key, "missing");
        }
        return value;
    }

    private static UploadProcessor.Settings uploads(Config u) {
        List<String> types = u.get("media-types")
                .asList(String.class)
                .orElse(List.of(
                        "image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "application/pdf"));
        long maxBytes = u.get("max-bytes").asLong().orElse(25L * 1024 * 1024);
        // A stock tus client sends the whole rest of a file in one PATCH unless told a chunk size, and tus has no way
        // to tell it one: by default a chunk may be as large as an artifact.
        int chunkDefault = (int) Math.max(16 * 1024, Math.min(maxBytes, 64 * 1024 * 1024));
        return new UploadProcessor.Settings(
                maxBytes,
                java.util.Set.copyOf(types),
                bounded(u, "max-open-per-device", 4, 1, 100),
                bounded(u, "max-chunk-bytes", chunkDefault, 16 * 1024, 64 * 1024 * 1024),
                duration(u, "expire-after", Duration.ofDays(1)));
    }

    private static Duration duration(Config node, String key, Duration dflt) {
        String raw = node.get(key).asString().orElse(null);
        if (raw == null) {
            return dflt;
        }
        try {
            Duration d = Duration.parse(raw);
            if (d.isNegative() || d.isZero()) {
                throw bad(node.key() + "." + key, "must be positive");
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw bad(node.key() + "." + key, "must be an ISO-8601 duration such as PT15M, got " + raw);
        }
    }

    private static int bounded(Config node, String key, int dflt, int min, int max) {
        int v = node.get(key).asInt().orElse(dflt);
        if (v < min || v > max) {
            throw bad(node.key() + "." + key, "must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    private static IllegalArgumentException bad(String key, String why) {
        return new IllegalArgumentException("invalid configuration " + key + ": " + why);
    }
}
