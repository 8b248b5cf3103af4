package io.podsync.server;

/** {@link SyncFlowTest} on PostgreSQL: release, push and pull end to end on the other engine. */
@OnPostgres
class PostgresSyncFlowTest extends SyncFlowTest {}
