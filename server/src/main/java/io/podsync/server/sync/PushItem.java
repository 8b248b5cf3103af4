package io.podsync.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.Limits;
import io.podsync.protocol.Violation;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.validation.Identifiers;
import io.podsync.protocol.validation.ProtocolValidator;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parse step of a push: one event of the request as parsed, either {@code event} or {@code violation} set. An
 * invalid event keeps the key and sequence number it carried when they are usable, so that it is stored (and
 * deduplicated) like any other.
 */
record PushItem(
        int index, CapturedEvent event, Violation violation, String key, Long seq, CanonicalJson.Canonical content) {

    static List<PushItem> parseAll(List<JsonNode> raw) {
        List<PushItem> items = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            items.add(parse(i, raw.get(i)));
        }
        return items;
    }

    static PushItem parse(int index, JsonNode raw) {
        String at = field(index, null);
        JsonNode rawKey = raw.path("idempotencyKey");
        String key =
                rawKey.isTextual() && Identifiers.isId(rawKey.asText(), Limits.MAX_ID_LENGTH) ? rawKey.asText() : null;
        JsonNode rawSeq = raw.path("seq");
        Long seq =
                rawSeq.isIntegralNumber() && rawSeq.canConvertToLong() && rawSeq.asLong() > 0 ? rawSeq.asLong() : null;
        try {
            CapturedEvent e = JsonBodies.bind(raw, CapturedEvent.class, at);
            List<Violation> v = ProtocolValidator.validateEvent(e, at);
            if (v.isEmpty()) {
                v = ProtocolValidator.validateEventJson(raw, at);
            }
            if (!v.isEmpty()) {
                return new PushItem(index, null, v.get(0), key, seq, CanonicalJson.canonical(raw));
            }
            return new PushItem(index, e, null, e.idempotencyKey(), e.seq(), CanonicalJson.canonical(e.normalized()));
        } catch (ProblemException p) {
            Violation v = new Violation(p.code(), p.field(), p.getMessage());
            return new PushItem(index, null, v, key, seq, CanonicalJson.canonical(raw));
        }
    }

    /** Only an event with a usable key and sequence number is stored (and so deduplicated). */
    boolean storable() {
        return key != null && seq != null;
    }

    /** The request's field of this event: {@code events[i]} or {@code events[i].name}. */
    String field(String name) {
        return field(index, name);
    }

    private static String field(int index, String name) {
        return "events[" + index + "]" + (name == null ? "" : "." + name);
    }

    /** The evidence hashes an event references, sorted and without repeats. */
    static Set<String> evidenceOf(CapturedEvent e) {
        List<EvidenceRef> refs = e.payloadOrEmpty().evidence();
        if (refs == null || refs.isEmpty()) {
            return Set.of();
        }
        Set<String> out = new TreeSet<>();
        for (EvidenceRef r : refs) {
            out.add(r.sha256());
        }
        return out;
    }
}
