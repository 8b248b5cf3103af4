package io.podsync.server;

/** {@link SlaTimersTest} on PostgreSQL: the breach queries on the other engine. */
@OnPostgres
class PostgresSlaTimersTest extends SlaTimersTest {}
