package io.podsync.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.Limits;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.http.Correlation;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.Query;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** {@code POST /v1/sync/push} and {@code GET /v1/sync/pull}, for driver devices. */
public final class SyncService implements HttpService {
    private final PushProcessor push;
    private final PullProcessor pull;
    private final int maxEvents;
    private final int maxBodyBytes;

    public SyncService(PushProcessor push, PullProcessor pull, int maxEvents, int maxBodyBytes) {
        this.push = push;
        this.pull = pull;
        this.maxEvents = maxEvents;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/push", this::push).get("/pull", this::pull);
    }

    private void push(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER);
        JsonNode body = JsonBodies.readTree(req, maxBodyBytes);
        if (!body.isObject()) {
            throw ProblemException.badRequest(ViolationCodes.INVALID_TYPE, "$", "expected a JSON object");
        }
        Instant sentAt = sentAt(body.get("sentAt"));
        JsonNode events = body.get("events");
        if (events == null || events.isNull()) {
            throw ProblemException.badRequest(ViolationCodes.REQUIRED, "events", "events is required");
        }
        if (!events.isArray()) {
            throw ProblemException.badRequest(ViolationCodes.INVALID_TYPE, "events", "events must be an array");
        }
        if (events.size() > maxEvents) {
            throw ProblemException.tooLarge(
                    "batch_too_large", "events", "a push may carry at most " + maxEvents + " events; split the batch");
        }
        List<JsonNode> list = new ArrayList<>(events.size());
        events.forEach(list::add);
        JsonBodies.ok(res, push.push(p.driverId(), p.deviceId(), sentAt, list, Correlation.of(req)));
    }

    private static Instant sentAt(JsonNode node) {
        if (node == null || node.isNull()) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED, "sentAt", "sentAt (the device clock now) is required");
        }
        if (!node.isTextual()) {
            throw ProblemException.badRequest(
                    ViolationCodes.INVALID_TYPE, "sentAt", "sentAt must be an RFC 3339 date-time");
        }
        Instant sentAt = parseTime(node.asText());
        if (sentAt.isBefore(Limits.EARLIEST_TIME) || sentAt.isAfter(Limits.LATEST_TIME)) {
            throw ProblemException.badRequest(
                    ViolationCodes.OUT_OF_RANGE,
                    "sentAt",
                    "sentAt must be between " + Limits.EARLIEST_TIME + " and " + Limits.LATEST_TIME);
        }
        return sentAt;
    }

    private static Instant parseTime(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                throw ProblemException.badRequest(
                        ViolationCodes.INVALID_FORMAT, "sentAt", "sentAt must be an RFC 3339 date-time");
            }
        }
    }

    private void pull(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER);
        Query q = Query.of(req, "cursor", "limit");
        String cursor = q.string("cursor");
        int limit = q.limit(Limits.DEFAULT_PULL_LIMIT, Limits.MAX_PULL_LIMIT);
        JsonBodies.ok(res, pull.pull(p.driverId(), p.deviceId(), cursor, limit));
    }
}
