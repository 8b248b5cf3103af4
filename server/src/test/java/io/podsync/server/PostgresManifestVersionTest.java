package io.podsync.server;

/** {@link ManifestVersionTest} on PostgreSQL: the stop version history and the pulls on the other engine. */
@OnPostgres
class PostgresManifestVersionTest extends ManifestVersionTest {}
