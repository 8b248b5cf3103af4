/**
 * Evidence: resumable, content-addressed uploads into the artifact store, the gate that counts an event only once
 * all of its evidence is stored and verified, and authorized reads of artifacts.
 */
package io.podsync.server.evidence;
