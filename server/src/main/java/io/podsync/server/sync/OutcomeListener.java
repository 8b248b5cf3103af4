package io.podsync.server.sync;

import io.podsync.protocol.StopStateView;
import io.podsync.storage.StopRow;
import io.podsync.storage.Tx;

/** Told, inside the transaction, when a stop's derived state changed; the ERP forwarding listens. */
public interface OutcomeListener {
    void stateChanged(Tx tx, StopRow stop, StopStateView state, long now);

    OutcomeListener NONE = (tx, stop, state, now) -> {};
}
