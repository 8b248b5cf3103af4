/**
 * HTTP plumbing shared by every service: the one error mapping to RFC 9457 problem documents, bounded JSON body
 * reading, correlation ids and the protocol version check.
 */
package io.podsync.server.http;
