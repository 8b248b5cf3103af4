package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The verdict on one pushed event. Results come back in the order of the request's events.
 *
 * @param index position of the event in the request
 * @param reason stable code explaining a rejected, conflict or reassigned verdict
 * @param field the offending field of a rejected event, e.g. {@code events[3].type}
 * @param flags validation findings that travel with an applied event (see the protocol docs)
 * @param receivedAt server time the event was first received
 * @param missingEvidence for awaiting_evidence: the SHA-256 hashes the server still needs, sorted
 * @param original for a duplicate or conflict: the stored first result, as it was first returned but for {@code index}
 * @param resolution how operations resolved the exception this event was attached to ({@code accepted}, {@code
 *     dismissed} or {@code corrected}; since 1.1): for a {@code reassigned} event, whether what the old driver did was
 *     taken into account. Null while no person decided.
 */
public record EventResult(
        Integer index,
        String idempotencyKey,
        Long seq,
        String stopId,
        Verdict verdict,
        String reason,
        String field,
        List<String> flags,
        Instant receivedAt,
        List<String> missingEvidence,
        EventResult original,
        String resolution) {
    /** The verdict that counts: the original's for a duplicate. */
    public Verdict effectiveVerdict() {
        return verdict == Verdict.DUPLICATE && original != null ? original.verdict() : verdict;
    }
}
