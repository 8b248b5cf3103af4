package io.podsync.simulator.erp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The checks of a CloudEvents 1.0 structured-mode JSON event that matter to a receiver: the required context
 * attributes are present and typed, so the sender learns about a malformed event from a 400 rather than from an ERP
 * that silently drops it.
 */
final class CloudEvents {
    static final String MEDIA_TYPE = "application/cloudevents+json";

    private CloudEvents() {}

    /** True for {@code application/cloudevents+json}, with or without parameters such as a charset. */
    static boolean isStructured(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
        return mediaType.trim().toLowerCase(Locale.ROOT).equals(MEDIA_TYPE);
    }

    /** What is wrong with the event, or null when it is a valid CloudEvent. */
    static String problem(JsonNode event) {
        if (event == null || !event.isObject()) {
            return "the body is not a JSON object";
        }
        if (!"1.0".equals(text(event, "specversion"))) {
            return "specversion must be \"1.0\"";
        }
        for (String required : new String[] {"id", "source", "type"}) {
            String value = text(event, required);
            if (value == null || value.isEmpty()) {
                return required + " must be a non-empty string";
            }
        }
        for (String optional : new String[] {"subject", "time", "datacontenttype", "dataschema"}) {
            if (event.has(optional) && !event.get(optional).isTextual()) {
                return optional + " must be a string when present";
            }
        }
        if (event.has("time")) {
            try {
                OffsetDateTime.parse(event.get("time").asText());
            } catch (DateTimeParseException e) {
                return "time must be an RFC 3339 timestamp";
            }
        }
        return null;
    }

    static String text(JsonNode event, String field) {
        JsonNode node = event.get(field);
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
