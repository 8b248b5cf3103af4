package io.podsync.protocol;

import java.time.Instant;

/**
 * A CloudEvents 1.0 event in structured mode ({@code application/cloudevents+json}), as podsync sends it to ERP
 * endpoints, signed per Standard Webhooks.
 *
 * @param type an {@link ErpEventType} wire name, e.g. {@code io.podsync.pod.delivered.v1}
 * @param subject {@code stops/<stopId>}, {@code routes/<routeId>} or {@code devices/<deviceId>}
 * @param correlationid the correlation id that travelled with the device's push (a CloudEvents extension)
 * @param data a {@link PodConfirmation} for the POD types, a {@link Milestone} for the others
 */
public record ErpEvent<D>(
        String specversion,
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String datacontenttype,
        String correlationid,
        D data) {
    public static final String MEDIA_TYPE = "application/cloudevents+json";
    public static final String SPEC_VERSION = "1.0";
    public static final String SOURCE = "podsync";

    public static String typeOf(String outcome, boolean correction) {
        return correction ? ErpEventType.POD_CORRECTED.wire() : "io.podsync.pod." + outcome + ".v1";
    }

    /** An event from podsync with JSON data, written now. */
    public static <D> ErpEvent<D> of(
            String id, ErpEventType type, String subject, Instant time, String correlationId, D data) {
        return new ErpEvent<>(
                SPEC_VERSION, id, SOURCE, type.wire(), subject, time, "application/json", correlationId, data);
    }
}
