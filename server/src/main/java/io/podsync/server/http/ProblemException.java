package io.podsync.server.http;

import io.podsync.protocol.Violation;
import java.util.List;

/** Ends a request with a problem document. Thrown by handlers; turned into a response by {@link ErrorMapping}. */
public final class ProblemException extends RuntimeException {
    private final int status;
    private final String code;
    private final String title;
    private final String field;
    private final List<Violation> errors;
    private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    public ProblemException(
            int status, String code, String title, String detail, String field, List<Violation> errors) {
        super(detail, null, false, false); // no stack trace: this is a normal outcome, not a bug
        this.status = status;
        this.code = code;
        this.title = title;
        this.field = field;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }

    public List<Violation> errors() {
        return errors;
    }

    /** A header to send with the problem, e.g. {@code Upload-Offset} on a 409 or {@code Retry-After} on a 503. */
    public ProblemException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public java.util.Map<String, String> headers() {
        return headers;
    }

    public static ProblemException badRequest(String code, String field, String detail) {
        return new ProblemException(
                400, code, "Bad request", detail, field, List.of(new Violation(code, field, detail)));
    }

    /** 400 with every violation; the first one's field is named at the top. */
    public static ProblemException invalid(List<Violation> violations) {
        Violation first = violations.get(0);
        return new ProblemException(
                400,
                "validation_failed",
                "The request is not valid",
                violations.size() + " problem(s), first: " + first.message(),
                first.field(),
                violations);
    }

    public static ProblemException unauthorized(String code, String detail) {
        return new ProblemException(401, code, "Unauthorized", detail, null, null);
    }

    public static ProblemException forbidden(String code, String detail) {
        return new ProblemException(403, code, "Forbidden", detail, null, null);
    }

    public static ProblemException notFound(String code, String detail) {
        return new ProblemException(404, code, "Not found", detail, null, null);
    }

    public static ProblemException conflict(String code, String detail) {
        return new ProblemException(409, code, "Conflict", detail, null, null);
    }

    public static ProblemException gone(String code, String detail) {
        return new ProblemException(410, code, "Gone", detail, null, null);
    }

    public static ProblemException tooLarge(String code, String field, String detail) {
        return new ProblemException(413, code, "Payload too large", detail, field, null);
    }

    public static ProblemException unsupportedMediaType(String detail) {
        return new ProblemException(415, "unsupported_media_type", "Unsupported media type", detail, null, null);
    }

    public static ProblemException unavailable(String code, String detail) {
        return new ProblemException(503, code, "Service unavailable", detail, null, null)
                .withHeader("Retry-After", "5");
    }
}
