/**
 * The JDBC implementation of the repositories: plain SQL that runs unchanged on SQLite and PostgreSQL (upserts with
 * {@code ON CONFLICT}, no engine-specific types), batched where a request writes many rows.
 */
package io.podsync.storage.jdbc;
