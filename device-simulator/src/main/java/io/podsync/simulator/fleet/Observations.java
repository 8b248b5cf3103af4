package io.podsync.simulator.fleet;

import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.StopStateView;
import io.podsync.simulator.erp.Delivery;
import java.util.List;
import java.util.Map;

/**
 * What the server and the ERP say after the run, gathered once so the verdict is a pure function of it (and a test
 * can tamper with a copy to prove the verdict can fail).
 *
 * @param verdicts by idempotency key, from a from-scratch pull per device (the server's stored first results)
 * @param stopStates by stop id, from the same pulls
 * @param deliveries the ERP receiver's recorded deliveries for this run's stops; null when no receiver was attached
 * @param artifacts downloaded bytes by hash (missing: the download failed)
 * @param openExceptions open ops exceptions of this run's routes; null when no ops secret was given
 */
public record Observations(
        Map<String, String> verdicts,
        Map<String, StopStateView> stopStates,
        List<Delivery> deliveries,
        Map<String, byte[]> artifacts,
        List<ExceptionView> openExceptions) {

    public Observations withDeliveries(List<Delivery> other) {
        return new Observations(verdicts, stopStates, other, artifacts, openExceptions);
    }
}
