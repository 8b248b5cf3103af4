package io.podsync.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.podsync.protocol.TokenResponse;
import io.podsync.server.http.ProblemException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues and verifies access tokens: ES256 JWTs of type {@code at+jwt}, with issuer, audience, expiry and scope.
 * Verification accepts ES256 only, so {@code alg: none} and an HMAC "signed" with the public key are refused before
 * any signature is checked.
 */
public final class TokenService {
    private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
    private static final String DEVICE_CLAIM = "did";

    private final KeyRing keys;
    private final Clock clock;
    private final String issuer;
    private final String audience;
    private final Duration ttl;
    private final DefaultJWTProcessor<SecurityContext> processor;

    public TokenService(KeyRing keys, Clock clock, String issuer, String audience, Duration ttl) {
        this.keys = keys;
        this.clock = clock;
        this.issuer = issuer;
        this.audience = audience;
        this.ttl = ttl;
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(AT_JWT));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<SecurityContext>(
                JWSAlgorithm.ES256, (selector, ctx) -> {
                    List<JWK> found = selector.select(keys.verifyingKeys());
                    if (found.isEmpty() && keys.reloadForUnknownKid()) {
                        found = selector.select(keys.verifyingKeys());
                    }
                    return found;
                }));
        DefaultJWTClaimsVerifier<SecurityContext> claims =
                new DefaultJWTClaimsVerifier<>(
                        Set.of(audience),
                        new JWTClaimsSet.Builder().issuer(issuer).build(),
                        Set.of("sub", "iat", "exp", "jti", "scope"),
                        null) {
                    @Override
                    protected Date currentTime() {
                        return Date.from(clock.instant());
                    }
                };
        claims.setMaxClockSkew(30);
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** A token for a driver's device. */
    public TokenResponse issueForDevice(String driverId, String deviceId) {
        return issue(driverId, List.of(Scope.DRIVER), deviceId);
    }

    /** A token for an ERP or ops client. */
    public TokenResponse issueForClient(String clientId, List<String> scopes) {
        return issue(clientId, scopes, null);
    }

    private TokenResponse issue(String subject, List<String> scopes, String deviceId) {
        ECKey key = keys.signingKey();
        Date now = Date.from(clock.instant());
        Date exp = new Date(now.getTime() + ttl.toMillis());
        String scope = String.join(" ", scopes);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(subject)
                .issueTime(now)
                .notBeforeTime(now)
                .expirationTime(exp)
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", scope);
        if (deviceId != null) {
            claims.claim(DEVICE_CLAIM, deviceId);
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(key.getKeyID())
                        .type(AT_JWT)
                        .build(),
                claims.build());
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return new TokenResponse(jwt.serialize(), "Bearer", ttl.toSeconds(), scope);
    }

    /** A token that passed every check, remembered until it expires: ES256 verification is the costliest step of a request. */
    private record Verified(Principal principal, long expiresAt) {}

    private static final int MAX_CACHED = 20_000;
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    /** Verifies a bearer token; 401 with a stable code when it is not acceptable. */
    public Principal verify(String token) {
        Verified known = verified.get(token);
        if (known != null && known.expiresAt() > clock.millis()) {
            return known.principal();
        }
        return verifyFully(token);
    }

    private Principal verifyFully(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (BadJWTException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("Expired")) {
                throw ProblemException.unauthorized("token_expired", "the access token has expired; get a new one");
            }
            throw ProblemException.unauthorized("invalid_token", "the access token is not valid");
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            throw ProblemException.unauthorized("invalid_token", "the access token is not valid");
        }
        Set<String> scopes = new HashSet<>();
        Object scope = claims.getClaim("scope");
        if (scope instanceof String s) {
            for (String part : s.split(" ")) {
                if (!part.isBlank()) {
                    scopes.add(part);
                }
            }
        }
        String deviceId = claims.getClaim(DEVICE_CLAIM) instanceof String d ? d : null;
        if (scopes.contains(Scope.DRIVER) && deviceId == null) {
            throw ProblemException.unauthorized("invalid_token", "a driver token must name its device");
        }
        Principal principal = new Principal(claims.getSubject(), Set.copyOf(scopes), deviceId);
        if (verified.size() >= MAX_CACHED) {
            verified.clear(); // crude, but bounded; the next requests simply verify again
        }
        verified.put(token, new Verified(principal, claims.getExpirationTime().getTime()));
        return principal;
    }
}
