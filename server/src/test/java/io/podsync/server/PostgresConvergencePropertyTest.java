package io.podsync.server;

/** {@link ConvergencePropertyTest} on PostgreSQL: the same stop states, verdicts and exceptions whatever the arrival order, on the other engine. */
@OnPostgres
class PostgresConvergencePropertyTest extends ConvergencePropertyTest {}
