package io.podsync.server;

/** {@link PullAndFencingTest} on PostgreSQL: the feed's two tables, paging and fencing on the other engine. */
@OnPostgres
class PostgresPullAndFencingTest extends PullAndFencingTest {}
