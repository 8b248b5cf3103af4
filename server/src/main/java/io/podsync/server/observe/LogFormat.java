package io.podsync.server.observe;

import io.opentelemetry.api.trace.SpanContext;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.http.Correlation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The format of the server's log records: a line of text, or a JSON object per line (for log shippers). Either way a
 * record written while serving a request or sending an outbox message carries its correlation id, and, inside a
 * trace, the trace and span ids; a record with an exception carries its stack trace.
 */
public final class LogFormat extends Formatter {
    private final boolean json;

    public LogFormat(boolean json) {
        this.json = json;
    }

    /** Formats every handler of the root logger this way (the console handler of {@code logging.properties}). */
    public static void install(LoggingConfig cfg) {
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.setFormatter(new LogFormat(cfg.json()));
        }
    }

    @Override
    public String format(LogRecord r) {
        String correlationId = Correlation.logged();
        SpanContext trace = Telemetry.current();
        String message = formatMessage(r);
        String thrown = r.getThrown() == null ? null : stackTrace(r.getThrown());
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", r.getInstant().toString());
            line.put("level", r.getLevel().getName());
            line.put("logger", r.getLoggerName());
            line.put("thread", Thread.currentThread().getName());
            line.put("message", message);
            line.put("correlationId", correlationId);
            if (trace != null) {
                line.put("traceId", trace.getTraceId());
                line.put("spanId", trace.getSpanId());
            }
            line.put("exception", thrown);
            return ProtocolJson.toString(line) + System.lineSeparator();
        }
        StringBuilder sb = new StringBuilder()
                .append(Instant.ofEpochMilli(r.getMillis()))
                .append(' ')
                .append(r.getLevel().getName())
                .append(' ')
                .append(r.getLoggerName())
                .append(": ")
                .append(message);
        if (correlationId != null || trace != null) {
            sb.append(" [");
            if (correlationId != null) {
                sb.append("correlationId=").append(correlationId);
            }
            if (trace != null) {
                sb.append(correlationId != null ? " " : "").append("traceId=").append(trace.getTraceId());
            }
            sb.append(']');
        }
        sb.append(System.lineSeparator());
        if (thrown != null) {
            sb.append(thrown);
        }
        return sb.toString();
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
