/**
 * The exception queue for operations: its rules ({@link io.podsync.server.exceptions.ExceptionQueue}: one open
 * exception per subject and kind, findings attached once for good, self-resolving when every finding cleared), the
 * findings that feed it and their factories, the finding and de-duplication key formats
 * ({@link io.podsync.server.exceptions.FindingKeys}), and an exception's statuses and resolutions as enums with wire
 * names. The kinds are the protocol's {@link io.podsync.protocol.ExceptionKind}. Storage keeps strings: the wire names
 * are what crosses.
 */
package io.podsync.server.exceptions;
