/**
 * Route release for ERP and dispatch: create or replace a manifest (idempotent by content, versioned), cancel it,
 * reassign it. Every change lands in the change feed of the drivers it concerns, and a reassignment fences the
 * driver who had the stops.
 */
package io.podsync.server.routes;
