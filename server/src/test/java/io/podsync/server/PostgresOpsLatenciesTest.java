package io.podsync.server;

import java.util.Map;

/** {@link OpsLatenciesTest} on PostgreSQL. */
class PostgresOpsLatenciesTest extends OpsLatenciesTest {
    @Override
    Map<String, String> database() {
        return Postgres.freshDatabase();
    }
}
