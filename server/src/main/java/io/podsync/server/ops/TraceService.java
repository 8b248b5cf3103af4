package io.podsync.server.ops;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.Trace;
import io.podsync.protocol.TraceKey;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.http.Correlation;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.Query;
import io.podsync.storage.jdbc.Database;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * "Where is order 4711?" ({@code GET /v1/ops/trace}): the history of an order, route, stop, request, event or artifact
 * in one time-ordered answer, with the links still missing. Ops scope. {@link #trace} is the same for Java callers
 * (the operations console).
 */
public final class TraceService implements HttpService {
    /** Steps in an answer when the request does not say. */
    public static final int DEFAULT_LIMIT = 1000;
    /** The most steps an answer may hold. */
    public static final int MAX_LIMIT = 5000;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Database db;
    private final boolean podForwarded;

    /**
     * @param podForwarded whether an ERP endpoint takes proof-of-delivery messages (if none does, an outcome without
     *     one is not a missing link)
     */
    public TraceService(Database db, boolean podForwarded) {
        this.db = db;
        this.podForwarded = podForwarded;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/ops/trace", this::get);
    }

    private void get(ServerRequest req, ServerResponse res) {
        Principal principal = AuthFilter.principal(req).requireAny(Scope.OPS);
        List<String> params = new ArrayList<>(
                Arrays.stream(TraceKey.values()).map(TraceKey::wire).toList());
        params.add("limit");
        Query q = Query.of(req, params.toArray(String[]::new));
        TraceKey by = key(q);
        JsonBodies.ok(res, trace(principal, by, q.string(by.wire()), q.limit(DEFAULT_LIMIT, MAX_LIMIT)));
    }

    /**
     * The trace from one key, for a caller with ops scope (403 otherwise); 400 naming the key when its value is
     * malformed. An unknown key gives an empty trace, not a 404: "nothing recorded" is an answer.
     *
     * @param limit the most entries (1 to {@link #MAX_LIMIT}); the answer says when it cut
     */
    public Trace trace(Principal principal, TraceKey by, String value, int limit) {
        principal.requireAny(Scope.OPS);
        check(by, value);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ProblemException.badRequest(ViolationCodes.OUT_OF_RANGE, "limit", "limit must be 1 to " + MAX_LIMIT);
        }
        return db.read(tx -> new TraceAssembler(tx.trace(), podForwarded, limit).trace(by, value));
    }

    /** The one key the query gives: none or two is a 400. */
    private static TraceKey key(Query q) {
        TraceKey found = null;
        for (TraceKey k : TraceKey.values()) {
            if (q.string(k.wire()) != null) {
                if (found != null) {
                    throw ProblemException.badRequest(
                            ViolationCodes.INCONSISTENT,
                            k.wire(),
                            "give one key only: " + found.wire() + " and " + k.wire() + " were both given");
                }
                found = k;
            }
        }
        if (found == null) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED,
                    null,
                    "give one of "
                            + Arrays.stream(TraceKey.values())
                                    .map(TraceKey::wire)
                                    .toList());
        }
        return found;
    }

    private static void check(TraceKey by, String value) {
        String field = by.wire();
        if (value == null || value.isEmpty()) {
            throw ProblemException.badRequest(ViolationCodes.REQUIRED, field, field + " must not be empty");
        }
        switch (by) {
            case CORRELATION_ID -> {
                if (!Correlation.isSane(value)) {
                    throw ProblemException.badRequest(
                            ViolationCodes.INVALID_FORMAT,
                            field,
                            field + " is 1 to 64 letters, digits and . _ : -, as in X-Correlation-Id");
                }
            }
            case SHA256 -> {
                if (!SHA256.matcher(value).matches()) {
                    throw ProblemException.badRequest(
                            ViolationCodes.INVALID_FORMAT,
                            field,
                            field + " is 64 lowercase hex digits"
                                    + (SHA256.matcher(value.toLowerCase(Locale.ROOT))
                                                    .matches()
                                            ? " (this one has capitals)"
                                            : ""));
                }
            }
            default -> {
                List<io.podsync.protocol.Violation> v =
                        io.podsync.protocol.validation.ProtocolValidator.validateId(value, field);
                if (!v.isEmpty()) {
                    throw ProblemException.invalid(v);
                }
            }
        }
    }
}
