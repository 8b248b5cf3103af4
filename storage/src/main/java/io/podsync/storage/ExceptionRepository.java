package io.podsync.storage;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The business exception queue. */
public interface ExceptionRepository {
    /** Opens the exception unless one with the same dedupe key exists; returns true when it was created. */
    boolean openIfAbsent(ExceptionRow exception);

    /** Deletes open exceptions of this stop and kind whose dedupe key is not in {@code keep}. */
    int dropStale(String stopId, String kind, Set<String> keep);

    Optional<ExceptionRow> find(long exceptionId);

    /** The open exceptions about a stop. */
    List<ExceptionRow> openForStop(String stopId);

    /** Newest first, ids below {@code beforeId} when given; filters are optional. */
    List<ExceptionRow> list(String status, String kind, String routeId, Long beforeId, int limit);

    boolean resolve(long exceptionId, String resolvedBy, String resolution, String note, long at);

    /** Resolves the open exception with this dedupe key, if there is one. */
    boolean resolveByDedupeKey(String dedupeKey, String resolvedBy, String resolution, String note, long at);

    long countOpen();
}
