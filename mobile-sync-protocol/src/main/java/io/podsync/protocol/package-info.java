/**
 * Protocol v1: the records that travel between driver apps, ERP/dispatch systems, operations tools and the server.
 *
 * <p>These are wire records, not storage rows: the server maps them to and from its own types. Every record is
 * immutable, nullable fields are optional on the wire, and times are RFC 3339 instants.
 */
package io.podsync.protocol;
