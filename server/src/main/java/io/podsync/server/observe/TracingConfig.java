package io.podsync.server.observe;

import java.net.URI;

/**
 * OpenTelemetry tracing, off by default. W3C {@code traceparent} is taken and passed on (to the ERP as well)
 * either way.
 *
 * @param enabled {@code podsync.tracing.enabled}: record spans and export them (default false)
 * @param endpoint {@code podsync.tracing.otlp-endpoint}: the OTLP/HTTP collector (default
 *     {@code http://localhost:4318}; spans go to {@code /v1/traces} under it)
 * @param serviceName {@code podsync.tracing.service-name}: {@code service.name} of the spans (default
 *     {@code podsync})
 * @param sampleRatio {@code podsync.tracing.sample-ratio}: the share of new traces recorded, 0 to 1 (default 1);
 *     a trace the caller sampled is always recorded
 */
public record TracingConfig(boolean enabled, URI endpoint, String serviceName, double sampleRatio) {}
