package io.podsync.server.http;

import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.ServerRequest;
import io.podsync.protocol.Violation;
import io.podsync.protocol.validation.ProtocolValidator;
import io.podsync.protocol.validation.ViolationCodes;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A request's query parameters, checked against the ones the operation takes: an unknown or repeated parameter is a
 * 400 naming it, so that a typo ({@code ?stopId=} where {@code ?stop=} was meant) is never silently ignored and
 * answered with everything. The getters check each value and name the parameter when it is malformed.
 */
public final class Query {
    private final UriQuery query;

    private Query(UriQuery query) {
        this.query = query;
    }

    /** The request's query; 400 {@code unknown_parameter} or {@code repeated_parameter} naming the first offender. */
    public static Query of(ServerRequest req, String... allowed) {
        UriQuery q = req.query();
        Set<String> known = Set.of(allowed);
        for (String name : new TreeSet<>(q.names())) {
            if (!known.contains(name)) {
                throw ProblemException.badRequest(
                        ViolationCodes.UNKNOWN_PARAMETER,
                        name,
                        "unknown query parameter " + name
                                + (known.isEmpty()
                                        ? "; this operation takes none"
                                        : "; it takes " + new TreeSet<>(known)));
            }
            if (q.all(name).size() > 1) {
                throw ProblemException.badRequest(
                        ViolationCodes.REPEATED_PARAMETER, name, name + " is given more than once");
            }
        }
        return new Query(q);
    }

    /** The raw value, or null when absent. */
    public String string(String name) {
        return query.first(name).orElse(null);
    }

    /** One of {@code values}, or null when absent. */
    public String oneOf(String name, Set<String> values) {
        return oneOf(name, string(name), values);
    }

    /**
     * {@code v} when it is one of {@code values} or null; else 400 naming {@code name}. For operations that other
     * callers than a query reach (the console's forms) and that check their arguments the same way.
     */
    public static String oneOf(String name, String v, Set<String> values) {
        if (v != null && !values.contains(v)) {
            throw ProblemException.badRequest(
                    ViolationCodes.UNKNOWN_VALUE, name, name + " is one of " + new TreeSet<>(values));
        }
        return v;
    }

    /** An identifier (the protocol's id rules), or null when absent. */
    public String id(String name) {
        String v = string(name);
        if (v != null) {
            List<Violation> violations = ProtocolValidator.validateId(v, name);
            if (!violations.isEmpty()) {
                throw ProblemException.invalid(violations);
            }
        }
        return v;
    }

    /** An integer, or null when absent. */
    public Long number(String name) {
        String v = string(name);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(ViolationCodes.INVALID_FORMAT, name, name + " must be a number");
        }
    }

    /** {@code limit}: 1 to {@code max}, {@code dflt} when absent. */
    public int limit(int dflt, int max) {
        Long v = number("limit");
        return v == null ? dflt : checkLimit(v, max);
    }

    /** {@code limit}: 1 to {@code max}, else 400 naming it (see {@link #oneOf(String, String, Set)}). */
    public static int checkLimit(long v, int max) {
        if (v < 1 || v > max) {
            throw ProblemException.badRequest(ViolationCodes.OUT_OF_RANGE, "limit", "limit must be 1 to " + max);
        }
        return (int) v;
    }

    /** A {@code YYYY-MM-DD} date, or null when absent. */
    public LocalDate date(String name) {
        String v = string(name);
        if (v == null) {
            return null;
        }
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(
                    ViolationCodes.INVALID_FORMAT, name, name + " must be a date (YYYY-MM-DD)");
        }
    }
}
