package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a piece of evidence shows. */
public enum EvidenceKind {
    SIGNATURE("signature"),
    PHOTO("photo"),
    DOCUMENT("document");

    private final String wire;

    EvidenceKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }
}
