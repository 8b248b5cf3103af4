package io.podsync.server;

import java.util.Map;

/**
 * {@link ErpForwardingTest} on PostgreSQL: the outbox's leases, its order per stop, restarts in the middle of retries
 * and replays, where claims are row updates that other connections can see at once.
 */
class PostgresErpForwardingTest extends ErpForwardingTest {
    @Override
    Map<String, String> database() {
        return Postgres.freshDatabase();
    }
}
