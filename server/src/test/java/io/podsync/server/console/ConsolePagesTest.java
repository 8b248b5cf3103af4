package io.podsync.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The Today and Trace pages as they render once a latency source and a trace source answer with data (the server
 * runs on {@link LatencySource#NONE} and {@link TraceSource#NONE} until the ops side has them; ConsoleBrowserTest
 * covers that).
 */
class ConsolePagesTest {
    private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);
    private static final Views.Frame FRAME = new Views.Frame("T", "trace", "ops", "csrf", null, null);
    private static final Instant T0 = Instant.parse("2026-12-07T09:00:00Z");

    @org.junit.jupiter.api.Test
    void aTraceIsATimelineOldestFirstWithEachStepLinkingToItsDetail() {
        List<TraceSource.Step> steps = List.of(
                new TraceSource.Step(T0, "route released", "erp", "version 1", null),
                new TraceSource.Step(T0.plusSeconds(60), "delivered", "driver D1 on dev-1", null, null),
                new TraceSource.Step(
                        T0.plusSeconds(90), "held: exception #7", null, "outside_geofence", "/ops/exceptions/7"),
                new TraceSource.Step(T0.plusSeconds(300), "resolved <accepted>", "ops", null, null));
        String html = render(
                "console/trace.jte",
                new Views.Trace(
                        FRAME, List.of(io.podsync.protocol.TraceKey.values()), "orderId", "RX-O1", null, steps, true));
        assertTrue(html.contains("<ol class=\"timeline\""), html);
        assertEquals(4, html.split("<time ").length - 1, "one step each");
        assertTrue(html.indexOf("route released") < html.indexOf("resolved"), "oldest first");
        assertTrue(html.contains("<a href=\"/ops/exceptions/7\">held: exception #7</a>"), html);
        assertTrue(html.contains("resolved &lt;accepted&gt;"), "the API's text is escaped");
        assertFalse(html.contains("not available yet"));
        String nothing = render(
                "console/trace.jte",
                new Views.Trace(
                        FRAME,
                        List.of(io.podsync.protocol.TraceKey.values()),
                        "orderId",
                        "NONE",
                        null,
                        List.of(),
                        true));
        assertTrue(nothing.contains("Nothing found for NONE"), nothing);
    }

    @org.junit.jupiter.api.Test
    void todayDrawsALatencyChartWithItsLatestMedianAndTrend() {
        List<LatencySource.Bucket> buckets = List.of(
                new LatencySource.Bucket(T0, 3, 40.0, 80.0),
                new LatencySource.Bucket(T0.plusSeconds(300), 5, 20.0, 30.0));
        Charts.Trend trend = Charts.trend(buckets);
        Views.Latency chart = new Views.Latency(
                "POD posting",
                "last hour",
                Charts.latencyBars(buckets, "POD posting, last hour"),
                Charts.seconds(trend.latestP50()),
                trend.direction(),
                8);
        String html = render(
                "console/today.jte",
                new Views.Today(FRAME, LocalDate.of(2026, 12, 7), List.of(), null, List.of(chart)));
        assertTrue(html.contains("<svg class=\"spark\""), "the chart itself, not escaped: " + html);
        assertTrue(html.contains("median now <strong>20 s</strong>"), html);
        assertTrue(html.contains("<span class=\"trend falling\">falling</span>"), html);
        assertFalse(html.contains("No data yet"));
    }

    private static String render(String template, Object model) {
        StringOutput out = new StringOutput();
        ENGINE.render(template, model, out);
        return out.toString();
    }
}
