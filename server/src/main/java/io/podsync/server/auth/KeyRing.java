package io.podsync.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.podsync.storage.SigningKeyRow;
import io.podsync.storage.jdbc.Database;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The token signing keys, kept in the database so every replica signs and verifies with the same set.
 *
 * <p>The newest unretired key signs. A rotation adds a key and retires the others, which keep verifying until every
 * token they signed has expired: nobody is logged out by a rotation. Replicas reload the set periodically and when
 * they meet an unknown key id.
 *
 * <p>The private parts are sealed with the key-encryption key ({@link KeyEncryption}) before they are stored; a row
 * sealed with an older key-encryption key (or stored plain by a version before sealing) is sealed again with the
 * current one when the ring is created.
 */
public final class KeyRing {
    private static final System.Logger LOG = System.getLogger(KeyRing.class.getName());
    private static final Duration RELOAD_AT_MOST_EVERY = Duration.ofSeconds(5);

    private final Database db;
    private final KeyEncryption kek;
    private final Clock clock;
    private final Duration verifyAfterRetirement;
    private volatile State state;

    private record State(ECKey signing, JWKSet verifying, long loadedAt) {}

    public KeyRing(Database db, KeyEncryption kek, Clock clock, Duration tokenTtl) {
        this.db = db;
        this.kek = kek;
        this.clock = clock;
        // A retired key verifies for one token lifetime plus a margin for clock skew and for replicas that have not
        // reloaded the key set yet (they do every minute).
        this.verifyAfterRetirement = tokenTtl.plusMinutes(5);
        reseal();
        reload(true);
    }

    /** The key to sign with now. */
    public ECKey signingKey() {
        maybeReload();
        return state.signing();
    }

    /** The public keys that verify tokens now (the JWKS). */
    public JWKSet verifyingKeys() {
        maybeReload();
        return state.verifying();
    }

    /** Reloads when a token names a key id we do not know, at most every few seconds. */
    public boolean reloadForUnknownKid() {
        if (clock.millis() - state.loadedAt() < RELOAD_AT_MOST_EVERY.toMillis()) {
            return false;
        }
        return reloadKeepingState();
    }

    /** Adds a new signing key and retires the others. Returns the new key id. */
    public String rotate() {
        ECKey key = generate();
        long now = clock.millis();
        db.write(tx -> {
            for (SigningKeyRow row : tx.signingKeys().all()) {
                tx.signingKeys().retire(row.kid(), now);
            }
            tx.signingKeys().insert(sealed(key, now));
            return null;
        });
        reload(false);
        return key.getKeyID();
    }

    private void maybeReload() {
        if (clock.millis() - state.loadedAt() > Duration.ofMinutes(1).toMillis()) {
            reloadKeepingState();
        }
    }

    /**
     * A reload while serving: when it fails (the database is down, or another replica sealed the keys with a
     * key-encryption key this one was not given), the keys loaded before keep signing and verifying, and the next try
     * is a minute later, instead of failing every request that needs a key.
     */
    private boolean reloadKeepingState() {
        try {
            reload(false);
            return true;
        } catch (RuntimeException e) {
            State was = state;
            state = new State(was.signing(), was.verifying(), clock.millis());
            LOG.log(
                    System.Logger.Level.WARNING,
                    "cannot reload the token signing keys; keeping those loaded: " + e.getMessage());
            return false;
        }
    }

    private synchronized void reload(boolean createIfEmpty) {
        long now = clock.millis();
        List<SigningKeyRow> rows = db.read(tx -> tx.signingKeys().all());
        if (rows.isEmpty() && createIfEmpty) {
            ECKey key = generate();
            rows = db.write(tx -> {
                if (tx.signingKeys().all().isEmpty()) { // another replica may have won
                    tx.signingKeys().insert(sealed(key, now));
                }
                return tx.signingKeys().all();
            });
        }
        ECKey signing = null;
        long signingCreated = Long.MIN_VALUE;
        List<JWK> verifying = new ArrayList<>();
        for (SigningKeyRow row : rows) {
            ECKey key = parse(open(row));
            if (row.retiredAt() == null) {
                if (row.createdAt() >= signingCreated) {
                    signing = key;
                    signingCreated = row.createdAt();
                }
                verifying.add(key.toPublicJWK());
            } else if (row.retiredAt() + verifyAfterRetirement.toMillis() > now) {
                verifying.add(key.toPublicJWK());
            }
        }
        if (signing == null) {
            throw new IllegalStateException("no active signing key in the database");
        }
        state = new State(signing, new JWKSet(verifying), now);
    }

    private SigningKeyRow sealed(ECKey key, long now) {
        return new SigningKeyRow(key.getKeyID(), kek.seal(key.toJSONString(), key.getKeyID()), now, null);
    }

    private String open(SigningKeyRow row) {
        try {
            return kek.open(row.jwkJson(), row.kid());
        } catch (KeyEncryption.KeyUnavailableException e) {
            throw new IllegalStateException("token signing key " + row.kid() + " in the database is " + e.getMessage()
                    + ". Configure the key-encryption key it was sealed with in podsync.keys.encryption-key (or "
                    + "-file); see operations.md, 'Keys and credentials', if it is lost");
        }
    }

    /** Seals every row not sealed with the current key-encryption key; replicas doing the same at once is harmless. */
    private void reseal() {
        db.write(tx -> {
            for (SigningKeyRow row : tx.signingKeys().all()) {
                if (!kek.isCurrent(row.jwkJson())) {
                    tx.signingKeys().replaceJwk(row.kid(), row.jwkJson(), kek.seal(open(row), row.kid()));
                }
            }
            return null;
        });
    }

    private static ECKey generate() {
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyID(UUID.randomUUID().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    private static ECKey parse(String json) {
        try {
            return ECKey.parse(json);
        } catch (ParseException e) {
            throw new IllegalStateException("a stored signing key is not an EC JWK", e);
        }
    }
}
