package io.podsync.storage;

import java.math.BigDecimal;

/** An order line at a stop, with the ordered quantity. */
public record OrderLineRow(
        String stopId,
        String orderId,
        String lineId,
        String sku,
        String description,
        BigDecimal quantity,
        String unit,
        boolean cancelled) {}
