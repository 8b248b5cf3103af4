package io.podsync.protocol;

import java.math.BigDecimal;

/**
 * What happened to one order line: quantities handed over and refused, and a reason code when they differ from what
 * was ordered.
 *
 * @param scanned true when the line was scanned (false or absent: typed in by hand)
 */
public record LineOutcome(
        String orderId, String lineId, BigDecimal delivered, BigDecimal rejected, String reasonCode, Boolean scanned) {}
