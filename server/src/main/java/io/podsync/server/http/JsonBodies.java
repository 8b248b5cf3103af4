package io.podsync.server.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.EventType;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.protocol.validation.ViolationCodes;
import java.io.IOException;
import java.io.InputStream;

/** Reads JSON request bodies with a size limit and writes JSON responses, all through the protocol's one mapping. */
public final class JsonBodies {
    private static final String JSON = "application/json";

    private JsonBodies() {}

    /** The body as a tree; 415 when not JSON, 413 when over {@code maxBytes}, 400 when malformed. */
    public static JsonNode readTree(ServerRequest req, int maxBytes) {
        byte[] body = readBytes(req, maxBytes);
        try {
            JsonNode node = ProtocolJson.mapper().readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ProblemException.badRequest("malformed_json", null, "the request body is empty");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw ProblemException.badRequest("malformed_json", null, "the document is too deeply nested or too long");
        } catch (NumberFormatException | ArithmeticException e) {
            // Jackson throws these, not a JsonProcessingException, for a number it cannot hold (1e-9999999999)
            throw ProblemException.badRequest("malformed_json", null, "a number in the document is out of range");
        } catch (IOException e) {
            // Reading a tree binds no types, so whatever fails here is the JSON itself (syntax, trailing content).
            throw ProblemException.badRequest("malformed_json", null, "the body is not valid JSON: " + where(e));
        }
    }

    /** The body bound to a record. */
    public static <T> T read(ServerRequest req, Class<T> type, int maxBytes) {
        return bind(readTree(req, maxBytes), type, "");
    }

    /** Binds a tree to a record, naming the offending field (under {@code prefix}) on failure. */
    public static <T> T bind(JsonNode node, Class<T> type, String prefix) {
        try {
            if (!node.isObject()) {
                throw ProblemException.badRequest(
                        ViolationCodes.INVALID_TYPE, prefix.isEmpty() ? "$" : prefix, "expected a JSON object");
            }
            return ProtocolJson.mapper().treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw mappedWithPrefix(e, prefix);
        }
    }

    static byte[] readBytes(ServerRequest req, int maxBytes) {
        if (!isJson(req)) {
            throw ProblemException.unsupportedMediaType("send Content-Type: application/json");
        }
        return readBounded(req, maxBytes);
    }

    /** Whether the request says its body is JSON ({@code application/json} or a {@code +json} type). */
    public static boolean isJson(ServerRequest req) {
        String mediaType = mediaType(req);
        return mediaType.equals(JSON) || mediaType.endsWith("+json");
    }

    /** The request's media type, lower case, without parameters; empty when there is none. */
    public static String mediaType(ServerRequest req) {
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        return contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** The body's bytes, whatever its type: 413 over {@code maxBytes}, 400 when it is not UTF-8. */
    public static byte[] readBounded(ServerRequest req, int maxBytes) {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > maxBytes) {
            throw ProblemException.tooLarge(
                    "payload_too_large", null, "the body has " + declared + " bytes; the limit is " + maxBytes);
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw ProblemException.tooLarge(
                        "payload_too_large", null, "the body is larger than the limit of " + maxBytes + " bytes");
            }
            if (!Utf8.isValid(body)) {
                throw ProblemException.badRequest("malformed_json", null, "the body is not valid UTF-8");
            }
            return body;
        } catch (IOException e) {
            throw ProblemException.badRequest("unreadable_body", null, "the request body could not be read");
        }
    }

    /** Turns a Jackson failure into a 400 that names the field and never leaks internals. */
    public static ProblemException mapped(JsonProcessingException e) {
        return mappedWithPrefix(e, "");
    }

    static ProblemException mappedWithPrefix(JsonProcessingException e, String prefix) {
        if (e instanceof StreamConstraintsException) {
            return ProblemException.badRequest("malformed_json", null, "the document is too deeply nested or too long");
        }
        if (e instanceof JsonParseException || !(e instanceof JsonMappingException jm)) {
            return ProblemException.badRequest(
                    "malformed_json", null, "the body is not valid JSON near line " + lineOf(e));
        }
        String field = path(prefix, jm);
        if (e instanceof InvalidFormatException f && f.getTargetType() == EventType.class) {
            return ProblemException.badRequest(
                    ViolationCodes.UNKNOWN_EVENT_TYPE, field, "unknown event type " + f.getValue());
        }
        if (e instanceof InvalidFormatException f && isTime(f.getTargetType())) {
            return ProblemException.badRequest(
                    ViolationCodes.INVALID_FORMAT, field, field + " must be an RFC 3339 date-time (or date)");
        }
        if (e instanceof InvalidFormatException f
                && f.getTargetType() != null
                && f.getTargetType().isEnum()) {
            return ProblemException.badRequest(ViolationCodes.UNKNOWN_VALUE, field, "unknown value " + f.getValue());
        }
        if (e instanceof MismatchedInputException m) {
            String expected = m.getTargetType() == null ? "another type" : simpleType(m.getTargetType());
            return ProblemException.badRequest(ViolationCodes.INVALID_TYPE, field, field + " must be " + expected);
        }
        return ProblemException.badRequest(ViolationCodes.INVALID_TYPE, field, field + " has the wrong type");
    }

    /** One code for a time that does not parse, wherever it is: {@code invalid_format}. */
    private static boolean isTime(Class<?> t) {
        return t != null && t.getName().startsWith("java.time.");
    }

    private static String simpleType(Class<?> t) {
        if (Number.class.isAssignableFrom(t) || (t.isPrimitive() && t != boolean.class)) {
            return "a number";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        if (t.getName().startsWith("java.time.")) {
            return "an RFC 3339 date-time (or date)";
        }
        return "an object";
    }

    private static String where(IOException e) {
        return e instanceof JsonProcessingException j && j.getLocation() != null
                ? "line " + j.getLocation().getLineNr() + ", column "
                        + j.getLocation().getColumnNr()
                : "unreadable";
    }

    private static String lineOf(JsonProcessingException e) {
        return e.getLocation() == null ? "?" : String.valueOf(e.getLocation().getLineNr());
    }

    /** {@code stops[2].orders[0].quantity} from Jackson's reference path. */
    static String path(String prefix, JsonMappingException e) {
        StringBuilder sb = new StringBuilder(prefix);
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "$" : sb.toString();
    }

    public static void send(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        HttpHygiene.send(res, ProtocolJson.toBytes(body));
    }

    public static void ok(ServerResponse res, Object body) {
        send(res, Status.OK_200, body);
    }
}
