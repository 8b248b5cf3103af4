package io.podsync.server.erp;

import io.podsync.server.sync.StopStates;

/**
 * The ERP side of a server, wired to the sync core: confirmations of stop outcomes and the milestone stream, both
 * writing to the one outbox the dispatcher delivers.
 */
public record Forwarding(Confirmations confirmations, Milestones milestones) {
    /** Builds both and registers them with the stop states (outcomes, moments) and the exception queue. */
    public static Forwarding create(ErpConfig config, StopStates states) {
        OutboxWriter outbox = new OutboxWriter(config);
        Milestones milestones = new Milestones(outbox);
        Confirmations confirmations = new Confirmations(config, states, outbox, milestones);
        states.onOutcome(confirmations);
        states.onMilestone(milestones);
        states.exceptions().listen(milestones);
        return new Forwarding(confirmations, milestones);
    }
}
