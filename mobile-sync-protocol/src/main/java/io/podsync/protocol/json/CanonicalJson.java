package io.podsync.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A canonical JSON form: object keys sorted, no whitespace, numbers in their shortest exact decimal form, nulls
 * dropped. Two documents that mean the same thing (field order, whitespace, {@code 5} vs {@code 5.0}, an explicit
 * null vs an absent field) have the same canonical form and so the same fingerprint.
 */
public final class CanonicalJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final int MAX_EXPANDED_ZEROS = 64;

    /**
     * Records are written in one pass, properties sorted, decimals stripped of trailing zeros. Trees go through
     * {@link #canonicalize}; both give the same text for the same content.
     */
    private static final ObjectMapper RECORDS = ProtocolJson.mapper()
            .copy()
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .registerModule(new SimpleModule().addSerializer(BigDecimal.class, new StdSerializer<>(BigDecimal.class) {
                @Override
                public void serialize(BigDecimal value, JsonGenerator gen, SerializerProvider provider)
                        throws IOException {
                    gen.writeNumber(canonicalNumber(value));
                }
            }));

    /** Canonical text and its SHA-256. */
    public record Canonical(String text, String fingerprint) {}

    /** The canonical text of a record (or tree) with its fingerprint, computed once. */
    public static Canonical canonical(Object value) {
        String text = of(value);
        return new Canonical(text, sha256Hex(text.getBytes(StandardCharsets.UTF_8)));
    }

    private CanonicalJson() {}

    /** The canonical text of a record (serialized through {@link ProtocolJson}) or a tree. */
    public static String of(Object value) {
        if (value instanceof JsonNode tree) {
            return ProtocolJson.toString(canonicalize(tree));
        }
        try {
            return RECORDS.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * The fingerprint an event's content had under protocol 1.0, where a line's refused quantity was named {@code
     * rejected}. Keys are sorted and the line's ids come first, so the key always follows a comma, and a quote inside
     * a string is escaped, so only the key can match.
     */
    public static String fingerprintV10(Canonical c) {
        return c.text().contains(",\"refused\":")
                ? sha256Hex(c.text().replace(",\"refused\":", ",\"rejected\":").getBytes(StandardCharsets.UTF_8))
                : c.fingerprint();
    }

    /** SHA-256 (lowercase hex) of the canonical form. */
    public static String fingerprint(Object value) {
        return sha256Hex(of(value).getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Trailing zeros stripped; an integer written out in full ({@code 1000}, not {@code 1E+3}) unless it has more
     * than {@value #MAX_EXPANDED_ZEROS} trailing zeros, which keeps its exponent form ({@code 1E+5000000}): expanding
     * that took seconds and megabytes for a 250-byte request. Either way one value has one text.
     */
    static BigDecimal canonicalNumber(BigDecimal value) {
        BigDecimal d = value.stripTrailingZeros();
        return d.scale() < 0 && d.scale() >= -MAX_EXPANDED_ZEROS ? d.setScale(0) : d;
    }

    private static JsonNode canonicalize(JsonNode node) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            node.fields().forEachRemaining(fields::add);
            fields.sort(Map.Entry.comparingByKey());
            ObjectNode out = NODES.objectNode();
            for (Map.Entry<String, JsonNode> e : fields) {
                if (!e.getValue().isNull()) {
                    out.set(e.getKey(), canonicalize(e.getValue()));
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(n -> out.add(canonicalize(n)));
            return out;
        }
        if (node.isNumber()) {
            return NODES.numberNode(canonicalNumber(node.decimalValue()));
        }
        return node;
    }
}
