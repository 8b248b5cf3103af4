package io.podsync.storage;

import java.util.List;

/**
 * The derived state of a stop. It is also the stop's entry in its driver's change feed: {@code audience} is who it was
 * published to (null only for a state migrated without one); its sequence number is assigned on write.
 *
 * <p>{@code foldInputs} are the counted events the state was folded from, as far as folding needs them: device,
 * sequence number, key, stop, type, attempt and corrected time are set, the other fields are null, zero or empty.
 * Which of a stop's events they must include is the folding code's business; keeping them here is what lets a push
 * refold a stop without reading its events back (the event log has no index by stop).
 */
public record StopStateRow(
        String stopId, String audience, String status, String stateJson, long updatedAt, List<EventRow> foldInputs) {
    public StopStateRow {
        foldInputs = List.copyOf(foldInputs);
    }

    /** The same state published to another audience. */
    public StopStateRow to(String otherAudience) {
        return new StopStateRow(stopId, otherAudience, status, stateJson, updatedAt, foldInputs);
    }
}
