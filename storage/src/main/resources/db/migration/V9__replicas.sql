-- The server replicas that use this database, each with its last heartbeat, so that a replica knows whether it is
-- alone and which evidence store the others use (a store on one replica's own disk is refused when it is not alone).
CREATE TABLE replicas (
    replica_id     VARCHAR(300)  PRIMARY KEY,
    artifact_store VARCHAR(1000) NOT NULL,
    started_at     BIGINT        NOT NULL,
    heartbeat_at   BIGINT        NOT NULL
);
