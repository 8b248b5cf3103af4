package io.podsync.protocol;

import java.time.Instant;

/**
 * A CloudEvents 1.0 event in structured mode ({@code application/cloudevents+json}), as podsync sends it to ERP
 * endpoints, signed per Standard Webhooks.
 *
 * @param type {@code io.podsync.pod.delivered.v1}, {@code io.podsync.pod.partially_delivered.v1},
 *     {@code io.podsync.pod.failed.v1} or {@code io.podsync.pod.corrected.v1}
 * @param subject {@code stops/<stopId>}
 * @param correlationid the correlation id that travelled with the device's push (a CloudEvents extension)
 */
public record ErpEvent(
        String specversion,
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String datacontenttype,
        String correlationid,
        PodConfirmation data) {
    public static final String MEDIA_TYPE = "application/cloudevents+json";
    public static final String SPEC_VERSION = "1.0";

    public static String typeOf(String outcome, boolean correction) {
        return correction ? "io.podsync.pod.corrected.v1" : "io.podsync.pod." + outcome + ".v1";
    }
}
