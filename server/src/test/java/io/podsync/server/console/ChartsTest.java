package io.podsync.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ChartsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T09:00:00Z");

    @Test
    void progressTakesLateStopsOutOfThePendingOnesAndDrawsEachStateAsWideAsItsStops() {
        Charts.Progress p = Charts.progress(
                Map.of("delivered", 2, "partially_delivered", 1, "failed", 1, "reattempt", 1, "pending", 5), 2);
        assertEquals(10, p.stops());
        assertEquals(2, p.segments().get("late"));
        assertEquals(3, p.segments().get("pending"));
        assertEquals(2, p.segments().get("failed"), "a reattempt is a failure so far");
        assertEquals("2 delivered, 1 partial, 2 failed, 2 late, 3 pending", p.words());
        String svg = Charts.progressBar(p);
        assertEquals(40.0, width(svg, "delivered"), 0.01); // 2 of 10 stops on 200 units
        assertEquals(60.0, width(svg, "pending"), 0.01);
        assertTrue(svg.contains("aria-label=\"2 delivered, 1 partial, 2 failed, 2 late, 3 pending\""), svg);
        // more late stops than pending ones cannot be drawn wider than the pending ones
        assertEquals(
                0,
                Charts.progress(Map.of("pending", 1, "delivered", 3), 4)
                        .segments()
                        .get("pending"));
        assertEquals("no stops", Charts.progress(Map.of(), 0).words());
    }

    @Test
    void latencyBarsAreScaledToTheLargestNinetiethPercentileAndEmptyWithoutData() {
        assertEquals("", Charts.latencyBars(List.of(), "x"));
        assertEquals("", Charts.latencyBars(List.of(new LatencySource.Bucket(T0, 0, null, null)), "x"));
        String svg = Charts.latencyBars(
                List.of(
                        new LatencySource.Bucket(T0, 4, 10.0, 20.0),
                        new LatencySource.Bucket(T0.plusSeconds(300), 0, null, null),
                        new LatencySource.Bucket(T0.plusSeconds(600), 4, 28.0, 56.0)),
                "POD posting, last hour");
        List<Double> heights = heights(svg, "p50");
        assertEquals(2, heights.size(), "no bar for the empty bucket");
        assertEquals(10.0, heights.get(0), 0.01); // 10 s of 56 s on 56 units
        assertEquals(28.0, heights.get(1), 0.01);
        assertTrue(svg.contains("aria-label=\"POD posting, last hour: median 28 s, rising\""), svg);
    }

    @Test
    void theTrendComparesTheSecondHalfOfTheWindowWithTheFirst() {
        assertEquals("rising", trendOf(10, 10, 20, 20).direction());
        assertEquals("falling", trendOf(20, 20, 10, 10).direction());
        assertEquals("steady", trendOf(10, 10, 10.5, 10).direction());
        assertEquals("no trend yet", trendOf(0, 0, 10, 10).direction());
        assertEquals(10.0, trendOf(20, 20, 10, 10).latestP50());
    }

    @Test
    void secondsReadLikePeopleSayThem() {
        assertEquals("42 s", Charts.seconds(42.4));
        assertEquals("3.5 min", Charts.seconds(210.0));
        assertEquals("2.0 h", Charts.seconds(7200.0));
        assertEquals("", Charts.seconds(null));
    }

    /** Buckets of 5 measurements with these medians (0: an empty bucket). */
    private static Charts.Trend trendOf(double... p50s) {
        List<LatencySource.Bucket> b = new ArrayList<>();
        for (int i = 0; i < p50s.length; i++) {
            b.add(
                    p50s[i] == 0
                            ? new LatencySource.Bucket(T0.plusSeconds(60L * i), 0, null, null)
                            : new LatencySource.Bucket(T0.plusSeconds(60L * i), 5, p50s[i], p50s[i] * 2));
        }
        return Charts.trend(b);
    }

    private static double width(String svg, String segment) {
        Matcher m = Pattern.compile("class=\"seg " + segment + "\" x=\"[0-9.]+\" y=\"0\" width=\"([0-9.]+)\"")
                .matcher(svg);
        assertTrue(m.find(), segment + " in " + svg);
        return Double.parseDouble(m.group(1));
    }

    private static List<Double> heights(String svg, String cls) {
        Matcher m = Pattern.compile(
                        "class=\"" + cls + "\" x=\"[0-9.]+\" y=\"[0-9.]+\" width=\"[0-9.]+\" height=\"([0-9.]+)\"")
                .matcher(svg);
        List<Double> out = new ArrayList<>();
        while (m.find()) {
            out.add(Double.parseDouble(m.group(1)));
        }
        return out;
    }
}
