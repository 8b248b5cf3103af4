package io.podsync.server.console;

import io.podsync.protocol.DeviceSummary;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.OutboxView;
import io.podsync.protocol.RouteSummary;
import io.podsync.protocol.TraceKey;
import io.podsync.server.erp.OutboxService;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** What each console page shows: the data the templates render, already in the shape they print. */
public final class Views {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Views() {}

    /**
     * What every page has: its title, which section of the navigation it belongs to, who is signed in, the session's
     * CSRF token for its forms, and a notice or an error left by the last action.
     */
    public record Frame(String title, String section, String who, String csrf, String notice, String error) {}

    /** The sign-in page. */
    public record SignIn(String error, String clientId) {}

    /** Filters of the exception queue, as the form shows them. */
    public record ExceptionFilter(String status, String kind, String routeId, String age) {}

    public record Exceptions(
            Frame frame,
            ExceptionFilter filter,
            List<ExceptionView> items,
            List<String> kinds,
            Long next,
            Instant now) {}

    /**
     * One exception with the events behind it (their JSON, lines, photos and signatures) and, for a manifest question,
     * the stop versions side by side.
     */
    public record ExceptionDetail(Frame frame, ExceptionView exception, List<Event> events, List<String> resolutions) {}

    /**
     * An event as people read it.
     *
     * @param evidence SHA-256 hashes of its photos and signature, shown through {@code /ops/artifacts/}
     */
    public record Event(
            String deviceId,
            long seq,
            String type,
            String verdict,
            String capturedAt,
            String receivedAt,
            String flags,
            List<String> evidence,
            String json) {}

    public record Erp(
            Frame frame,
            List<OutboxService.EndpointState> endpoints,
            Instant now,
            OutboxService.Reconciliation reconciliation,
            String status,
            List<OutboxView> messages,
            Long next) {}

    public record Message(Frame frame, OutboxView message) {}

    /**
     * The Today page: routes of a service date with their progress, and the business latencies.
     *
     * @param next the last route id of this page when there are more
     */
    public record Today(Frame frame, LocalDate date, List<RouteLine> routes, String next, List<Latency> latencies) {}

    /** A route with its progress drawn ({@code bar}: inline SVG from {@link Charts}). */
    public record RouteLine(RouteSummary route, Charts.Progress progress, String bar) {}

    /**
     * One latency over one window: its chart (inline SVG, empty when there is no data yet), the latest median and its
     * trend.
     */
    public record Latency(String kind, String window, String chart, String latest, String trend, long count) {}

    /**
     * The Fleet page: silent devices first.
     *
     * @param more whether there are more devices than the page shows
     */
    public record Fleet(Frame frame, List<Device> devices, Instant now, String silentAfter, boolean more) {}

    /** A device, and whether it has been silent longer than the SLA allows. */
    public record Device(DeviceSummary summary, boolean silent) {}

    /**
     * The Trace page.
     *
     * @param by the trace API parameter searched by
     * @param problem why the search was not made (the value is not an id of that kind), or null
     * @param steps the history found; null when nothing was searched or no trace can be read yet
     * @param available whether the trace can be read at all
     */
    public record Trace(
            Frame frame,
            List<TraceKey> kinds,
            String by,
            String value,
            String problem,
            List<TraceSource.Step> steps,
            boolean available) {}

    /** {@code 2026-11-23 09:15:02 UTC}, or an empty text. */
    public static String time(Instant t) {
        return t == null ? "" : TIME.format(t);
    }

    /** How long ago, in the largest unit that is not zero: {@code 3 h}, {@code 12 min}, {@code 40 s}. */
    public static String age(Instant t, Instant now) {
        if (t == null) {
            return "";
        }
        Duration d = Duration.between(t, now);
        if (d.isNegative()) {
            return "0 s";
        }
        if (d.toDays() > 0) {
            return d.toDays() + " d";
        }
        if (d.toHours() > 0) {
            return d.toHours() + " h";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + " min";
        }
        return d.toSeconds() + " s";
    }
}
