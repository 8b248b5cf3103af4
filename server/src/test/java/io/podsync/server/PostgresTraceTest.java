package io.podsync.server;

/** {@link TraceTest} on PostgreSQL: the same history, in the same order, from the other engine. */
@OnPostgres
class PostgresTraceTest extends TraceTest {}
