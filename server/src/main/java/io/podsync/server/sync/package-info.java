/**
 * Device sync: push (idempotent, per-event verdicts, validation flags, clock correction, fencing), the stop state
 * derived from the event log, and delta pull over the change feed with opaque cursors.
 */
package io.podsync.server.sync;
