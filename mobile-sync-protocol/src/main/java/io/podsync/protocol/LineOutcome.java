package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonAlias;
import java.math.BigDecimal;

/**
 * What happened to one order line: quantities handed over and refused, and a reason code when they differ from what
 * was ordered.
 *
 * @param refused the quantity the recipient refused; the same name as in ERP messages. Protocol 1.0 called it {@code
 *     rejected}, which is still read during 1.x (sending both is refused, see the validator)
 * @param scanned true when the line was scanned (false or absent: typed in by hand)
 */
public record LineOutcome(
        String orderId,
        String lineId,
        BigDecimal delivered,
        @JsonAlias("rejected") BigDecimal refused,
        String reasonCode,
        Boolean scanned) {}
