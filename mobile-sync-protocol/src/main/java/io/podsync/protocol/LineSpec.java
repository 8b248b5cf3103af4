package io.podsync.protocol;

import java.math.BigDecimal;

/** An order line as released by the ERP. */
public record LineSpec(String lineId, String sku, String description, BigDecimal quantity, String unit) {}
