package io.podsync.server;

import java.util.Map;

/** {@link SlaTimersTest} on PostgreSQL: the breach queries on the other engine. */
class PostgresSlaTimersTest extends SlaTimersTest {
    @Override
    Map<String, String> database() {
        return Postgres.freshDatabase();
    }
}
