package io.podsync.server;

import java.util.Map;

/** {@link BusinessMetricsTest} on PostgreSQL: the gauges and the moments read the same from the other engine. */
class PostgresBusinessMetricsTest extends BusinessMetricsTest {
    @Override
    Map<String, String> database() {
        return Postgres.freshDatabase();
    }
}
