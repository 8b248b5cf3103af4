package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The answer to a push: one result per event, in request order.
 *
 * @param clockOffsetMillis server time minus device time as measured on this request
 */
public record PushResponse(Instant serverTime, long clockOffsetMillis, List<EventResult> results) {}
