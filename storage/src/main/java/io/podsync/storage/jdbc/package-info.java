/**
 * The JDBC implementation: {@link io.podsync.storage.jdbc.Database} (connection pools, transactions, retries, the
 * SQLite writer's {@link io.podsync.storage.jdbc.GroupCommit} and checkpoints) and the repositories, in plain SQL that
 * runs unchanged on SQLite and PostgreSQL (upserts with {@code ON CONFLICT}, no engine-specific types), batched where a
 * request writes many rows. The {@code storage} package above holds the interfaces and rows and imports nothing here.
 */
package io.podsync.storage.jdbc;
