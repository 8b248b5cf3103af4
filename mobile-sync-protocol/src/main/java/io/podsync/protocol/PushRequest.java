package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * A batch of captured events. {@code sentAt} is the device clock when the request was sent: the server compares it
 * with its own to estimate the device's clock offset.
 */
public record PushRequest(Instant sentAt, List<CapturedEvent> events) {}
