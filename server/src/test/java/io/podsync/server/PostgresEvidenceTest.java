package io.podsync.server;

/** {@link EvidenceTest} on PostgreSQL: uploads, the evidence gate and released events on the other engine. */
@OnPostgres
class PostgresEvidenceTest extends EvidenceTest {}
