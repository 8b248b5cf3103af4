package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The business exception queue: exceptions and the findings attached to them. */
public interface ExceptionRepository {
    /**
     * Opens the exception unless an open one holds the same dedupe key; returns true when it was created. (Exceptions
     * created before findings existed were deduplicated for good by this key; now only open ones are.)
     */
    boolean openIfAbsent(ExceptionRow exception);

    /** The open exception with this dedupe key (subject and kind), if any. */
    Optional<ExceptionRow> findOpen(String dedupeKey);

    /** Of these finding keys, the ones already attached to an exception (open or resolved). */
    Set<String> knownFindings(Collection<String> findingKeys);

    /** Attaches findings to their exceptions; a finding whose key is known already is skipped. */
    void addFindings(List<FindingRow> findings);

    /** The findings of these exceptions, by exception id, each list in finding-key order. */
    Map<Long, List<FindingRow>> findingsOf(Collection<Long> exceptionIds);

    /** The finding with this key, if any. */
    Optional<FindingRow> finding(String findingKey);

    /** Sets an open exception's summary: its codes and first finding, after findings came or went. */
    void summarize(long exceptionId, String codes, String deviceId, String idempotencyKey, long at);

    /** Marks a finding's condition ended; false when it is unknown or was cleared already. */
    boolean clearFinding(String findingKey, long at);

    /** Deletes these findings of an exception (a contradiction the events no longer show was never found). */
    void deleteFindings(long exceptionId, Collection<String> findingKeys);

    /** Deletes an open exception that has no findings left. */
    void delete(long exceptionId);

    Optional<ExceptionRow> find(long exceptionId);

    /** The open exceptions about a stop. */
    List<ExceptionRow> openForStop(String stopId);

    /** The open exceptions of a kind, oldest first. */
    List<ExceptionRow> openOfKind(String kind, int limit);

    /** Newest first, ids below {@code beforeId} when given; filters are optional. */
    List<ExceptionRow> list(String status, String kind, String routeId, Long beforeId, int limit);

    /**
     * Resolves an open exception; {@code stopVersion} is the manifest version an outcome is booked against (null when
     * not a manifest question).
     */
    boolean resolve(long exceptionId, String resolvedBy, String resolution, String note, Long stopVersion, long at);

    /**
     * The manifest version operations chose for the event behind this finding, when the exception it was attached to
     * is resolved with one.
     */
    Optional<Long> bookedVersion(String findingKey);

    long countOpen();
}
