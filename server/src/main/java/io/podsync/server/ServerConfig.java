package io.podsync.server;

import io.helidon.config.Config;
import io.podsync.protocol.Limits;
import io.podsync.storage.DatabaseConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every configuration key of the server, typed, with its default. Keys live under {@code podsync.} in
 * {@code application.yaml}; each can be overridden by an environment variable ({@code PODSYNC_DB_URL} for
 * {@code podsync.db.url}).
 *
 * @param dataDir {@code podsync.data-dir}: where the embedded database and files live (default {@code ./data})
 * @param db {@code podsync.db.url|user|password|pool-size}: the database; default a SQLite file in the data dir
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
 */
public record ServerConfig(
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
        int maxBodyBytes) {

    /**
     * An API client of the ERP or operations side.
     *
     * @param scopes any of {@code erp}, {@code ops}
     */
    public record ClientConfig(String id, String secret, List<String> scopes) {
        @Override
        public String toString() {
            return "ClientConfig[id=" + id + ", scopes=" + scopes + "]"; // never the secret
        }
    }

    /** Reads the {@code podsync} node; throws {@link IllegalArgumentException} naming the key on a bad value. */
    public static ServerConfig from(Config root) {
        Config c = root.get("podsync");
        Path dataDir = Path.of(c.get("data-dir").asString().orElse("data"));
        Config db = c.get("db");
        String url = db.get("url")
                .asString()
                .orElse("jdbc:sqlite:" + dataDir.resolve("podsync.db").toAbsolutePath());
        DatabaseConfig dbConfig = new DatabaseConfig(
                url,
                db.get("user").asString().orElse(null),
                db.get("password").asString().orElse(null),
                db.get("pool-size").asInt().orElse(8));
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
                if (!s.equals("erp") && !s.equals("ops")) {
                    throw bad("podsync.auth.clients[" + id + "].scopes", "may hold erp and ops only, got " + s);
                }
            }
            clients.add(new ClientConfig(id, secret, List.copyOf(scopes)));
        }
        Config sync = c.get("sync");
        return new ServerConfig(
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
                bounded(c.get("http"), "max-body-bytes", Limits.MAX_JSON_BODY_BYTES, 1024, 64 * 1024 * 1024));
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
