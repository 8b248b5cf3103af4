package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** What one entry of a trace records. */
public enum TraceEntryKind {
    /** A version of the route was written (released, amended, reassigned or cancelled), by an API client. */
    ROUTE_VERSION("route_version"),
    /** A device pulled this version of the route for the first time (by the route's driver: the dispatch). */
    ROUTE_PULLED("route_pulled"),
    /** A pushed event with the verdict it got, its flags, its device and its corrected capture time. */
    EVENT("event"),
    /** A device declared an upload of an artifact (tus creation). */
    UPLOAD_DECLARED("upload_declared"),
    /** An artifact's bytes were stored after their SHA-256 was verified. */
    ARTIFACT_STORED("artifact_stored"),
    /** An exception was opened for operations. */
    EXCEPTION_OPENED("exception_opened"),
    /** An exception was resolved: by whom, with what resolution and note. */
    EXCEPTION_RESOLVED("exception_resolved"),
    /** A message to an ERP endpoint was written to the outbox. */
    OUTBOX_MESSAGE("outbox_message"),
    /** A delivery attempt that the ERP did not acknowledge (no answer, or an answer other than 2xx). */
    DELIVERY_ATTEMPT("delivery_attempt"),
    /** The ERP acknowledged a message (a 2xx answer to a delivery attempt). */
    ERP_ACKNOWLEDGED("erp_acknowledged"),
    /** A person acted on the outbox: replayed a message, replayed the dead, recovered or enabled an endpoint. */
    OPERATOR_ACTION("operator_action");

    private final String wire;

    TraceEntryKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }
}
