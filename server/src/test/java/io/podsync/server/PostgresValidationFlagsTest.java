package io.podsync.server;

/** {@link ValidationFlagsTest} on PostgreSQL: the flags and the exception queue on the other engine. */
@OnPostgres
class PostgresValidationFlagsTest extends ValidationFlagsTest {}
