package io.podsync.protocol.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    private CanonicalJson() {}

    /** The canonical text of a record (serialized through {@link ProtocolJson}) or a tree. */
    public static String of(Object value) {
        JsonNode tree = value instanceof JsonNode n ? n : ProtocolJson.tree(value);
        return ProtocolJson.toString(canonicalize(tree));
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
            BigDecimal d = node.decimalValue().stripTrailingZeros();
            if (d.scale() < 0) {
                d = d.setScale(0);
            }
            return NODES.numberNode(d);
        }
        return node;
    }
}
