/**
 * Logs and traces: OpenTelemetry spans with W3C trace context in and out ({@code Telemetry}), the log format (text or
 * JSON lines, each record with the correlation id and trace of the request or outbox message it was written for), and
 * the access log.
 */
package io.podsync.server.observe;
