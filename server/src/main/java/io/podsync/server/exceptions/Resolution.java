package io.podsync.server.exceptions;

/**
 * How an exception ended. A person chooses one of the first three (the {@code resolution} of the protocol's
 * {@code ExceptionResolution}); the system records the others when a condition ended by itself. Stored, shown and
 * pulled by devices (on the events attached) by its wire name.
 */
public enum Resolution {
    /** A person: the event stands as captured. */
    ACCEPTED("accepted", true),
    /** A person: no action. */
    DISMISSED("dismissed", true),
    /** A person: fixed elsewhere, e.g. in the ERP. */
    CORRECTED("corrected", true),
    /** The system: an SLA breach whose condition ended (the stop was reached, the route pulled, the device heard). */
    CLEARED("cleared", false),
    /** The system: the last evidence of an {@code evidence_missing} finding arrived. */
    EVIDENCE_ARRIVED("evidence_arrived", false),
    /** The system: a contradiction the stop's events no longer show was never there; the exception is deleted. */
    WITHDRAWN("withdrawn", false);

    private final String wire;
    private final boolean byPerson;

    Resolution(String wire, boolean byPerson) {
        this.wire = wire;
        this.byPerson = byPerson;
    }

    public String wire() {
        return wire;
    }

    /** Whether a person may choose it when resolving an exception. */
    public boolean byPerson() {
        return byPerson;
    }

    /** @return the resolution with this wire name, or null */
    public static Resolution fromWire(String value) {
        for (Resolution r : values()) {
            if (r.wire.equals(value)) {
                return r;
            }
        }
        return null;
    }
}
