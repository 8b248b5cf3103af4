package io.podsync.protocol;

/**
 * One thing wrong with a request or an event.
 *
 * @param code a stable machine-readable code, see {@link io.podsync.protocol.validation.ViolationCodes}
 * @param field the path of the offending field, e.g. {@code stops[2].orders[0].lines[1].quantity}
 * @param message a human-readable explanation
 */
public record Violation(String code, String field, String message) {}
