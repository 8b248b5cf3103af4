/**
 * Structural validation of protocol records: returns every violation at once, each with a stable code and the path of
 * the field, so a client can fix all of them in one go. Business checks (geofence, quantities against the order,
 * proof policy) are the server's and become flags, not violations.
 */
package io.podsync.protocol.validation;
