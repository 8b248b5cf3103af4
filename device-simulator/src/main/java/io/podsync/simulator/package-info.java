/**
 * The testers' CLI: provisions routes and devices through the public API, drives simulated offline-first devices,
 * measures load, and checks that nothing was lost or duplicated. It speaks the wire protocol only.
 */
package io.podsync.simulator;
