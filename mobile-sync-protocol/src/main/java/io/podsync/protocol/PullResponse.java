package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * A page of changes since a cursor. Keep {@code cursor} and send it on the next pull; repeat while {@code hasMore}.
 */
public record PullResponse(String cursor, boolean hasMore, Instant serverTime, List<Change> changes) {}
