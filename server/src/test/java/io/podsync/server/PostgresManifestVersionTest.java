package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link ManifestVersionTest} on PostgreSQL: the stop version history and the pulls on the other engine. */
class PostgresManifestVersionTest extends ManifestVersionTest {
    @BeforeAll
    static void start() throws Exception {
        startOn(Postgres.freshDatabase());
    }
}
