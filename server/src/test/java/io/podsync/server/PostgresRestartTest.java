package io.podsync.server;

import java.util.Map;

/** {@link RestartTest} on PostgreSQL: receipts, states, signing keys and cursors outlive the process there too. */
class PostgresRestartTest extends RestartTest {
    @Override
    Map<String, String> database() {
        return Postgres.freshDatabase();
    }
}
