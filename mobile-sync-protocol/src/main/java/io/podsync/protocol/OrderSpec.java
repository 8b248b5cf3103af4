package io.podsync.protocol;

import java.util.List;

/** An order to hand over at a stop. A cancelled order stays visible to the device as cancelled. */
public record OrderSpec(String orderId, List<LineSpec> lines, Boolean cancelled) {
    public boolean isCancelled() {
        return Boolean.TRUE.equals(cancelled);
    }
}
