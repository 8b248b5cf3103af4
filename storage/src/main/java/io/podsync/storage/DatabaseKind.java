package io.podsync.storage;

/** Which database engine: SQLite (the embedded default, one writer) or PostgreSQL (replicas). */
public enum DatabaseKind {
    SQLITE,
    POSTGRESQL
}
