package io.podsync.server;

/**
 * {@link ErpForwardingTest} on PostgreSQL: the outbox's leases, its order per stop, restarts in the middle of retries
 * and replays, where claims are row updates that other connections can see at once.
 */
@OnPostgres
class PostgresErpForwardingTest extends ErpForwardingTest {}
