package io.podsync.server.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.StopStateView;
import io.podsync.protocol.json.ProtocolJson;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopStatesTest {
    @Test
    void whetherAStoredStateHadAnomaliesIsReadAsAFullParseWouldReadIt() {
        StopStateView none = StopFold.pending("S-1");
        StopStateView some =
                new StopStateView("S-2", "delivered", 1, null, null, "k", "d", List.of("contradictory_outcomes@1"));
        StopStateView absent = new StopStateView("S-3", "arrived", 1, null, null, null, null, null);
        assertFalse(StopStates.hadAnomalies(ProtocolJson.toString(none)));
        assertTrue(StopStates.hadAnomalies(ProtocolJson.toString(some)));
        assertFalse(StopStates.hadAnomalies(ProtocolJson.toString(absent)));
        // A stop id that looks like the marker does not fool it.
        StopStateView tricky =
                new StopStateView("\"anomalies\":[]", "failed", 1, null, null, null, null, List.of("x@1"));
        assertTrue(StopStates.hadAnomalies(ProtocolJson.toString(tricky)));
    }
}
