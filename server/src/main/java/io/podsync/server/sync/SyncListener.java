package io.podsync.server.sync;

import io.podsync.protocol.Verdict;

/** Observes sync outcomes, for metrics. */
public interface SyncListener {
    void verdict(Verdict verdict, String type);

    void exceptionOpened(String kind);

    /** A new event was stored, {@code lagMillis} after its (corrected) capture: the sync lag. */
    default void received(long lagMillis) {}

    /** Evidence-gated events that were released because their last artifact arrived. */
    default void eventsReleased(int count) {}

    SyncListener NONE = new SyncListener() {
        @Override
        public void verdict(Verdict verdict, String type) {}

        @Override
        public void exceptionOpened(String kind) {}
    };
}
