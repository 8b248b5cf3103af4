package io.podsync.protocol;

import java.util.List;

/**
 * An RFC 9457 problem document ({@code application/problem+json}). {@code code} is stable and is what clients
 * branch on; {@code title} and {@code detail} are for people.
 */
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String code,
        String field,
        String correlationId,
        List<Violation> errors) {
    /** Media type of problem documents. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** The {@code type} URI of a code. */
    public static String typeOf(String code) {
        return "https://podsync.io/problems/" + code;
    }
}
