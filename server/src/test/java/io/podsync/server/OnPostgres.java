package io.podsync.server;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class on PostgreSQL (a fresh database of the embedded server) instead of the SQLite default: put it on a
 * subclass that inherits the tests, e.g. {@code @OnPostgres class PostgresSyncFlowTest extends SyncFlowTest {}}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface OnPostgres {}
