package io.podsync.server.observe;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.podsync.server.http.Correlation;
import io.podsync.server.http.Routes;
import io.podsync.storage.Tx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Traces: W3C {@code traceparent} taken from every request and passed on (to the database writer's thread, and to the
 * ERP with each webhook), and OpenTelemetry spans for a request and for push, fold, upload, outbox send and route
 * release, exported over OTLP when {@code podsync.tracing.enabled}. Off (the default) the API is OpenTelemetry's no-op:
 * no span is recorded, but a caller's trace context is still continued, so the ERP sees the caller's trace id.
 *
 * <p>Business code opens its spans with the static {@link #span}: the tracer travels in the OpenTelemetry context of
 * the request, so code that never sees the server's configuration records into the right one.
 */
public final class Telemetry implements AutoCloseable {
    private static final ContextKey<Tracer> TRACER = ContextKey.named("podsync.tracer");
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final AttributeKey<String> CORRELATION = AttributeKey.stringKey("podsync.correlation_id");
    private static final TextMapGetter<RoutingRequest> FROM_REQUEST = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(RoutingRequest req) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(RoutingRequest req, String key) {
            return req == null
                    ? null
                    : req.headers().first(HeaderNames.create(key)).orElse(null);
        }
    };
    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> m) {
            return m.keySet();
        }

        @Override
        public String get(Map<String, String> m, String key) {
            return m == null ? null : m.get(key);
        }
    };
    private static final TextMapSetter<Map<String, String>> TO_MAP = (m, k, v) -> {
        if (m != null) {
            m.put(k, v);
        }
    };

    private final Tracer tracer;
    private final SdkTracerProvider provider;

    private Telemetry(OpenTelemetry otel, SdkTracerProvider provider) {
        this.tracer = otel.getTracer("io.podsync.server");
        this.provider = provider;
    }

    /** As configured: OTLP over HTTP when enabled, OpenTelemetry's no-op otherwise. */
    public static Telemetry create(TracingConfig cfg) {
        if (!cfg.enabled()) {
            return new Telemetry(OpenTelemetry.noop(), null);
        }
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault()
                        .merge(Resource.create(
                                Attributes.of(AttributeKey.stringKey("service.name"), cfg.serviceName()))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(cfg.sampleRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                                .setEndpoint(
                                        cfg.endpoint().resolve("/v1/traces").toString())
                                .build())
                        .build())
                .build();
        return new Telemetry(
                OpenTelemetrySdk.builder().setTracerProvider(provider).build(), provider);
    }

    /** Over an OpenTelemetry someone else set up (tests: an in-memory exporter). */
    public static Telemetry of(OpenTelemetry otel) {
        return new Telemetry(otel, null);
    }

    /**
     * The request filter: continues the caller's W3C trace context (or starts a trace), opens the request's server
     * span, named by route template once the route is known, and puts the correlation id in the log context. Runs
     * after {@link Correlation}.
     */
    public Filter filter() {
        return (FilterChain chain, RoutingRequest req, RoutingResponse res) -> {
            Context parent = W3C.extract(Context.root(), req, FROM_REQUEST).with(TRACER, tracer);
            String method = req.prologue().method().text();
            Span span = tracer.spanBuilder(method)
                    .setParent(parent)
                    .setSpanKind(SpanKind.SERVER)
                    .setAttribute("http.request.method", method)
                    .setAttribute(CORRELATION, Correlation.of(req))
                    .startSpan();
            res.whenSent(() -> {
                int status = res.status().code();
                span.updateName(method + " " + Routes.templateOf(req).orElse("unmatched"));
                span.setAttribute("http.response.status_code", status);
                Routes.templateOf(req).ifPresent(t -> span.setAttribute("http.route", t));
                if (status >= 500) {
                    span.setStatus(StatusCode.ERROR);
                }
                span.end();
            });
            try (Scope ignored = parent.with(span).makeCurrent()) {
                chain.proceed();
            }
        };
    }

    /**
     * {@code work} as it should run on another thread (the SQLite writer's): in the caller's trace, with the caller's
     * correlation id on its log lines.
     */
    public static <T> Tx.Work<T> carry(Tx.Work<T> work) {
        Context context = Context.current();
        String correlationId = Correlation.logged();
        if (context == Context.root() && correlationId == null) {
            return work;
        }
        return tx -> Correlation.logged(correlationId, () -> {
            try (Scope ignored = context.makeCurrent()) {
                return work.run(tx);
            }
        });
    }

    /** Runs {@code work} in a span of the current trace (a no-op span when tracing is off or there is no trace). */
    public static <T> T span(String name, Supplier<T> work) {
        Tracer t = Context.current().get(TRACER);
        if (t == null) {
            return work.get();
        }
        Span span = t.spanBuilder(name).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    public static void span(String name, Runnable work) {
        span(name, () -> {
            work.run();
            return null;
        });
    }

    /** An attribute of the current span. */
    public static void attribute(String key, String value) {
        Span.current().setAttribute(key, value);
    }

    public static void attribute(String key, long value) {
        Span.current().setAttribute(key, value);
    }

    /** The W3C {@code traceparent} of the current context, or null when there is no trace. */
    public static String traceParent() {
        if (!Span.current().getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> headers = new HashMap<>();
        W3C.inject(Context.current(), headers, TO_MAP);
        return headers.get("traceparent");
    }

    /**
     * Runs {@code work} as a span of kind {@code CLIENT} in the trace of {@code traceParent} (a new trace when null),
     * with the correlation id on its log lines; {@code work} gets the {@code traceparent} to send on.
     */
    public <T> T client(
            String name, String traceParent, String correlationId, java.util.function.Function<String, T> work) {
        Context parent = traceParent == null
                ? Context.root()
                : W3C.extract(Context.root(), Map.of("traceparent", traceParent), FROM_MAP);
        Span span = tracer.spanBuilder(name)
                .setParent(parent.with(TRACER, tracer))
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(CORRELATION, correlationId)
                .startSpan();
        try (Scope ignored = parent.with(TRACER, tracer).with(span).makeCurrent()) {
            return Correlation.logged(correlationId, () -> work.apply(traceParent()));
        } finally {
            span.end();
        }
    }

    /** The trace and span ids of the current context, for log lines; null outside a trace. */
    public static SpanContext current() {
        SpanContext c = Span.current().getSpanContext();
        return c.isValid() ? c : null;
    }

    @Override
    public void close() {
        if (provider != null) {
            provider.close(); // flushes what the batch processor still holds
        }
    }
}
