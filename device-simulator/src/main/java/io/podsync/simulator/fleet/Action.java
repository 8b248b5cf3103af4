package io.podsync.simulator.fleet;

import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventType;
import java.util.List;

/**
 * One thing the driver does at a stop. The driver (a person) remembers what is next; the app only records it. That is
 * why plans live in the harness and survive an app crash, while everything the app captured lives in its SQLite file.
 */
record Action(EventType type, String stopId, int attempt, EventPayload payload, List<Artifact> evidence) {}
