package io.podsync.server;

/** {@link BusinessMetricsTest} on PostgreSQL: the gauges and the moments read the same from the other engine. */
@OnPostgres
class PostgresBusinessMetricsTest extends BusinessMetricsTest {}
