package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The ERP outbox, its delivery attempts, what each stop confirmed, and disabled endpoints. */
public interface OutboxRepository {
    /** Adds a message with a fresh id unless one with the same dedupe key exists; true when added. */
    boolean add(OutboxRow message);

    /**
     * Pending messages due by {@code now} whose lease (if any) has run out and whose turn it is (no older message of
     * their partition and endpoint is undelivered), earliest due first, then oldest.
     */
    List<OutboxRow> due(long now, int limit);

    /** True when an older message of the same partition and endpoint is not delivered yet. */
    boolean hasOlderUndelivered(String partitionKey, String endpoint, long outboxId);

    /** Takes a message for delivery until {@code leaseUntil}; false when another dispatcher has it. */
    boolean claim(long outboxId, long now, long leaseUntil);

    /**
     * Takes several messages for delivery until {@code leaseUntil} in one statement; returns the ids it got (those
     * another dispatcher holds are left out).
     */
    Set<Long> claimAll(Collection<Long> outboxIds, long now, long leaseUntil);

    void recordAttempt(OutboxAttemptRow attempt);

    /** Records delivery attempts in one batch. */
    void recordAttempts(Collection<OutboxAttemptRow> attempts);

    /** Marks messages delivered in one batch: each attempt's message, with its number, status and end time. */
    void deliveredAll(Collection<OutboxAttemptRow> successfulAttempts);

    void delivered(long outboxId, int attempts, int status, long now);

    void reschedule(long outboxId, int attempts, long nextAttemptAt, Integer status, String error);

    void setStatus(long outboxId, String status, int attempts, Integer lastStatus, String error);

    /** Puts a dead or held message back in line, due now. */
    boolean replay(long outboxId, long now);

    /**
     * Puts every dead or failing (pending after a failed attempt, not in flight) message of an endpoint created at or
     * after {@code since} back in line, due now, attempts reset; returns how many. They go out in their original order.
     */
    int recover(String endpoint, long since, long now);

    /** Holds every pending message of an endpoint (after a 410) or releases held ones. */
    int setStatusOfEndpoint(String endpoint, String from, String to, long now);

    Optional<OutboxRow> find(long outboxId);

    List<OutboxRow> list(String status, Long beforeId, int limit);

    List<OutboxAttemptRow> attempts(long outboxId);

    /** Message counts by type and status. */
    Map<String, Map<String, Long>> counts();

    /** Per endpoint and status: how many messages, and when the oldest of them was written. */
    List<EndpointCount> countsByEndpoint();

    /** A count of {@link #countsByEndpoint}. */
    record EndpointCount(String endpoint, String status, long count, long oldestCreatedAt) {}

    Optional<ConfirmationRow> confirmation(String stopId);

    void confirm(ConfirmationRow confirmation);

    /** How many active stops of the route have no final outcome confirmed yet. */
    int stopsNotConfirmed(String routeId);

    /** The confirmations of the route's stops. */
    List<ConfirmationRow> confirmationsOfRoute(String routeId);

    boolean isDisabled(String endpoint);

    void disable(String endpoint, String reason, long now);

    void enable(String endpoint);
}
