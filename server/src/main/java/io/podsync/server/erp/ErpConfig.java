package io.podsync.server.erp;

import io.helidon.config.Config;
import io.podsync.protocol.ErpEventType;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * ERP forwarding settings under {@code podsync.erp}. A malformed endpoint stops the server at start, naming the key.
 *
 * @param endpoints {@code podsync.erp.endpoints[]}: {@code name}, {@code url}, {@code secrets} ({@code whsec_} +
 *     base64 of 24 to 64 bytes; the first signs, all are sent during a rotation), {@code timeout} (default PT15S),
 *     {@code max-in-flight} (requests at once, default 16: an ERP is not a load test), {@code types} (the CloudEvent
 *     types it receives, {@link ErpEventType} wire names; default the proof-of-delivery types, as before milestones)
 * @param schedule {@code podsync.erp.retry-schedule}: delays before each attempt; after the last the message is dead
 *     (default the Standard Webhooks schedule: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h)
 * @param reasonMap {@code podsync.erp.reason-map}: taxonomy code to the ERP's own code (e.g. SAP deviation reasons)
 * @param terminalReasons {@code podsync.erp.terminal-reasons}: a failure with one of these reasons is final
 * @param maxAttempts {@code podsync.erp.max-attempts}: a failure at this attempt is final (default 3)
 * @param publicUrl {@code podsync.public-url}: base of evidence URLs in messages; null (the default) means the base
 *     by which the ERP reached the server when it released the stop's route
 * @param pollInterval {@code podsync.erp.poll-interval}: how often the dispatcher looks for due messages
 * @param connectTimeout {@code podsync.erp.connect-timeout}: how long a new connection to an ERP may take (default
 *     PT10S, at most PT60S). It is part of every outbox lease, so it also bounds how long a message that a crashed
 *     replica had taken waits before another replica sends it.
 */
public record ErpConfig(
        List<Endpoint> endpoints,
        List<Duration> schedule,
        Map<String, String> reasonMap,
        Set<String> terminalReasons,
        int maxAttempts,
        String publicUrl,
        Duration pollInterval,
        Duration connectTimeout) {

    /** One ERP endpoint and the event types it subscribes to. */
    public record Endpoint(
            String name, URI url, List<String> secrets, Duration timeout, int maxInFlight, Set<ErpEventType> types) {
        public boolean wants(ErpEventType type) {
            return types.contains(type);
        }

        @Override
        public String toString() {
            return "Endpoint[" + name + " " + url + "]"; // never the secrets
        }
    }

    /** What an endpoint receives when its configuration lists no types: the proof-of-delivery messages. */
    public static final Set<ErpEventType> POD_TYPES = java.util.Arrays.stream(ErpEventType.values())
            .filter(ErpEventType::isPod)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    public static final List<Duration> STANDARD_SCHEDULE = List.of(
            Duration.ZERO,
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(14),
            Duration.ofHours(20),
            Duration.ofHours(24));

    public static ErpConfig from(Config podsync) {
        Config erp = podsync.get("erp");
        List<Endpoint> endpoints = new ArrayList<>();
        List<Config> nodes = erp.get("endpoints").asNodeList().orElse(List.of());
        for (int i = 0; i < nodes.size(); i++) {
            endpoints.add(endpoint(nodes.get(i), "podsync.erp.endpoints[" + i + "]"));
        }
        if (endpoints.stream().map(Endpoint::name).distinct().count() != endpoints.size()) {
            throw bad("podsync.erp.endpoints", "endpoint names must be unique");
        }
        List<Duration> schedule = new ArrayList<>();
        for (String d : erp.get("retry-schedule").asList(String.class).orElse(List.of())) {
            schedule.add(duration(d, "podsync.erp.retry-schedule"));
        }
        Map<String, String> reasonMap =
                new TreeMap<>(erp.get("reason-map").detach().asMap().orElse(Map.of()));
        Set<String> terminal = Set.copyOf(erp.get("terminal-reasons")
                .asList(String.class)
                .orElse(List.of("REFUSED", "WRONG_ADDRESS", "ID_CHECK_FAILED", "UNSAFE")));
        int maxAttempts = erp.get("max-attempts").asInt().orElse(3);
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw bad("podsync.erp.max-attempts", "must be between 1 and 20");
        }
        return new ErpConfig(
                List.copyOf(endpoints),
                schedule.isEmpty() ? STANDARD_SCHEDULE : List.copyOf(schedule),
                Map.copyOf(reasonMap),
                terminal,
                maxAttempts,
                publicUrl(podsync.get("public-url").asString().orElse(null)),
                duration(erp.get("poll-interval").asString().orElse("PT0.25S"), "podsync.erp.poll-interval"),
                connectTimeout(erp.get("connect-timeout").asString().orElse("PT10S")));
    }

    /** Any endpoint subscribed to this type. */
    public boolean anyWants(ErpEventType type) {
        for (Endpoint e : endpoints) {
            if (e.wants(type)) {
                return true;
            }
        }
        return false;
    }

    private static String publicUrl(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            URI u = URI.create(raw);
            if (u.getScheme() == null
                    || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw bad("podsync.public-url", "must be an absolute http(s) URL, got " + raw);
            }
        } catch (IllegalArgumentException e) {
            throw bad("podsync.public-url", "must be an absolute http(s) URL, got " + raw);
        }
        return raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
    }

    private static Duration connectTimeout(String raw) {
        Duration d = duration(raw, "podsync.erp.connect-timeout");
        if (d.toMillis() < 100 || d.compareTo(Duration.ofSeconds(60)) > 0) {
            throw bad("podsync.erp.connect-timeout", "must be between PT0.1S and PT60S");
        }
        return d;
    }

    private static Endpoint endpoint(Config c, String at) {
        String name = c.get("name").asString().orElseThrow(() -> bad(at + ".name", "missing"));
        if (!name.matches("[A-Za-z0-9._-]{1,100}")) {
            throw bad(at + ".name", "may hold letters, digits and . _ - only");
        }
        String url = c.get("url").asString().orElseThrow(() -> bad(at + ".url", "missing"));
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw bad(at + ".url", "is not a URL: " + url);
        }
        if (uri.getScheme() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw bad(at + ".url", "must be an absolute http(s) URL, got " + url);
        }
        List<String> secrets = c.get("secrets").asList(String.class).orElse(List.of());
        if (secrets.isEmpty()) {
            throw bad(at + ".secrets", "at least one whsec_ secret is required: messages are always signed");
        }
        for (String s : secrets) {
            secretBytes(s, at + ".secrets");
        }
        Duration timeout = duration(c.get("timeout").asString().orElse("PT15S"), at + ".timeout");
        int maxInFlight = c.get("max-in-flight").asInt().orElse(16);
        if (maxInFlight < 1 || maxInFlight > 256) {
            throw bad(at + ".max-in-flight", "must be between 1 and 256");
        }
        List<String> names = c.get("types").asList(String.class).orElse(List.of());
        Set<ErpEventType> types = new java.util.LinkedHashSet<>();
        for (String t : names) {
            ErpEventType type = ErpEventType.fromWire(t);
            if (type == null) {
                throw bad(at + ".types", "unknown event type " + t + "; see docs/erp-integration.md");
            }
            types.add(type);
        }
        return new Endpoint(
                name, uri, List.copyOf(secrets), timeout, maxInFlight, types.isEmpty() ? POD_TYPES : Set.copyOf(types));
    }

    /** The key bytes of a {@code whsec_} secret; 24 to 64 bytes. */
    static byte[] secretBytes(String secret, String key) {
        if (secret == null || !secret.startsWith("whsec_")) {
            throw bad(key, "a secret is whsec_ followed by base64");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(secret.substring(6));
        } catch (IllegalArgumentException e) {
            throw bad(key, "a secret is whsec_ followed by base64");
        }
        if (bytes.length < 24 || bytes.length > 64) {
            throw bad(key, "a secret must hold 24 to 64 bytes, this one has " + bytes.length);
        }
        return bytes;
    }

    private static Duration duration(String raw, String key) {
        try {
            Duration d = Duration.parse(raw);
            if (d.isNegative()) {
                throw bad(key, "must not be negative");
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw bad(key, "must be an ISO-8601 duration such as PT15S, got " + raw);
        }
    }

    private static IllegalArgumentException bad(String key, String why) {
        return new IllegalArgumentException("invalid configuration " + key + ": " + why);
    }
}
