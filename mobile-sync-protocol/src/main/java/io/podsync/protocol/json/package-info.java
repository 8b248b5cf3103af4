/** The one JSON mapping of protocol v1, and the canonical form used for content fingerprints. */
package io.podsync.protocol.json;
