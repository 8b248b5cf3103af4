package io.podsync.server.erp;

/** Where an outbox message stands for its endpoint. Stored, filtered on and shown by its wire name. */
public enum OutboxStatus {
    /** Waiting for its turn, or for its next try after a failure. */
    PENDING("pending"),
    /** Not sent while its endpoint is disabled (by an operator, or after a permanent refusal); released on enable. */
    HELD("held"),
    /** Acknowledged by the endpoint. */
    DELIVERED("delivered"),
    /** Given up after the last try or refused for good; an operator may replay it. */
    DEAD("dead");

    private final String wire;

    OutboxStatus(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @throws IllegalArgumentException for a name that is not an outbox status */
    public static OutboxStatus fromWire(String value) {
        for (OutboxStatus s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown outbox status " + value);
    }
}
