/**
 * A fleet of offline-first simulated driver apps: each keeps a durable SQLite outbox, captures proof-of-delivery events
 * while offline, crashes, skews its clock and cuts uploads on purpose, and syncs when it can. {@link
 * io.podsync.simulator.fleet.Fleet} provisions and runs them and then judges the outcome ({@link
 * io.podsync.simulator.fleet.FleetVerdict}): nothing captured may be lost, doubled, or delivered to the ERP twice.
 */
package io.podsync.simulator.fleet;
