package io.podsync.server.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console's small charts, drawn on the server as inline SVG: no script, nothing to load, and they pass the
 * console's content security policy (colours come from the style sheet through class names, not inline styles). Only
 * numbers and fixed words go into the markup, so it needs no escaping. Each chart says in words what it shows
 * ({@code role="img"} with a label) for screen readers.
 */
public final class Charts {
    private static final int BAR_WIDTH = 200;
    private static final int SPARK_WIDTH = 240;
    private static final int SPARK_HEIGHT = 56;

    private Charts() {}

    /** A route's stops by what people call their progress, in the order the bar draws them. */
    public record Progress(Map<String, Integer> segments, int stops) {
        /** {@code 3 delivered, 1 late, 2 pending}: the non-zero segments in words. */
        public String words() {
            List<String> parts = new ArrayList<>();
            segments.forEach((name, n) -> {
                if (n > 0) {
                    parts.add(n + " " + name);
                }
            });
            return parts.isEmpty() ? "no stops" : String.join(", ", parts);
        }
    }

    /**
     * A route's progress from its stops by stop state ({@code GET /v1/ops/routes}) and how many of them are late (open
     * {@code stop_late} exceptions): a late stop has had no arrival, so it is taken out of the pending ones.
     */
    public static Progress progress(Map<String, Integer> byState, int late) {
        int pending = byState.getOrDefault("pending", 0);
        int lateShown = Math.min(late, pending);
        Map<String, Integer> s = new LinkedHashMap<>();
        s.put("delivered", byState.getOrDefault("delivered", 0));
        s.put("partial", byState.getOrDefault("partially_delivered", 0));
        s.put("arrived", byState.getOrDefault("arrived", 0));
        s.put("failed", byState.getOrDefault("failed", 0) + byState.getOrDefault("reattempt", 0));
        s.put("late", lateShown);
        s.put("pending", pending - lateShown);
        return new Progress(s, s.values().stream().mapToInt(Integer::intValue).sum());
    }

    /** A stacked bar of the progress, one segment per state, as wide as the stops it holds. */
    public static String progressBar(Progress p) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"bar\" viewBox=\"0 0 ")
                .append(BAR_WIDTH)
                .append(" 12\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"")
                .append(p.words())
                .append("\">");
        if (p.stops() == 0) {
            svg.append("<rect class=\"seg none\" x=\"0\" y=\"0\" width=\"")
                    .append(BAR_WIDTH)
                    .append("\" height=\"12\"/>");
        }
        double x = 0;
        for (Map.Entry<String, Integer> e : p.segments().entrySet()) {
            if (e.getValue() == 0) {
                continue;
            }
            double w = (double) BAR_WIDTH * e.getValue() / p.stops();
            svg.append("<rect class=\"seg ")
                    .append(e.getKey())
                    .append("\" x=\"")
                    .append(num(x))
                    .append("\" y=\"0\" width=\"")
                    .append(num(w))
                    .append("\" height=\"12\"><title>")
                    .append(e.getValue())
                    .append(' ')
                    .append(e.getKey())
                    .append("</title></rect>");
            x += w;
        }
        return svg.append("</svg>").toString();
    }

    /**
     * Bars of the median per time bucket, with a tick at the 90th percentile, scaled to the window's largest 90th
     * percentile; an empty text when no bucket has a measurement (the page says "no data yet").
     */
    public static String latencyBars(List<LatencySource.Bucket> buckets, String what) {
        double max = buckets.stream()
                .filter(b -> b.count() > 0 && b.p90Seconds() != null)
                .mapToDouble(LatencySource.Bucket::p90Seconds)
                .max()
                .orElse(0);
        if (max <= 0) {
            return "";
        }
        Trend t = trend(buckets);
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"spark\" viewBox=\"0 0 ")
                .append(SPARK_WIDTH)
                .append(' ')
                .append(SPARK_HEIGHT)
                .append("\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"")
                .append(what)
                .append(": median ")
                .append(seconds(t.latestP50()))
                .append(", ")
                .append(t.direction())
                .append("\">");
        double slot = (double) SPARK_WIDTH / buckets.size();
        double barWidth = Math.max(1, slot * 0.7);
        for (int i = 0; i < buckets.size(); i++) {
            LatencySource.Bucket b = buckets.get(i);
            if (b.count() == 0 || b.p50Seconds() == null) {
                continue;
            }
            double x = i * slot + (slot - barWidth) / 2;
            double h = SPARK_HEIGHT * b.p50Seconds() / max;
            svg.append("<rect class=\"p50\" x=\"")
                    .append(num(x))
                    .append("\" y=\"")
                    .append(num(SPARK_HEIGHT - h))
                    .append("\" width=\"")
                    .append(num(barWidth))
                    .append("\" height=\"")
                    .append(num(h))
                    .append("\"/>");
            if (b.p90Seconds() != null) {
                double y = SPARK_HEIGHT - SPARK_HEIGHT * b.p90Seconds() / max;
                svg.append("<rect class=\"p90\" x=\"")
                        .append(num(x))
                        .append("\" y=\"")
                        .append(num(Math.min(y, SPARK_HEIGHT - 1.5)))
                        .append("\" width=\"")
                        .append(num(barWidth))
                        .append("\" height=\"1.5\"/>");
            }
        }
        return svg.append("</svg>").toString();
    }

    /**
     * The latest median and where it goes: the count-weighted median of the window's second half against its first,
     * {@code rising} or {@code falling} past 10 %, else {@code steady}; {@code no trend yet} with one half empty.
     */
    public record Trend(Double latestP50, String direction) {}

    public static Trend trend(List<LatencySource.Bucket> buckets) {
        List<LatencySource.Bucket> measured = buckets.stream()
                .filter(b -> b.count() > 0 && b.p50Seconds() != null)
                .toList();
        Double latest = measured.isEmpty() ? null : measured.getLast().p50Seconds();
        int half = buckets.size() / 2;
        Double before = weighted(buckets.subList(0, half));
        Double after = weighted(buckets.subList(half, buckets.size()));
        if (before == null || after == null || before == 0) {
            return new Trend(latest, "no trend yet");
        }
        double change = (after - before) / before;
        return new Trend(latest, change > 0.1 ? "rising" : change < -0.1 ? "falling" : "steady");
    }

    private static Double weighted(List<LatencySource.Bucket> buckets) {
        long n = 0;
        double sum = 0;
        for (LatencySource.Bucket b : buckets) {
            if (b.count() > 0 && b.p50Seconds() != null) {
                n += b.count();
                sum += b.count() * b.p50Seconds();
            }
        }
        return n == 0 ? null : sum / n;
    }

    /** {@code 42 s}, {@code 3.5 min}, {@code 2.1 h}; an empty text for null. */
    public static String seconds(Double s) {
        if (s == null) {
            return "";
        }
        if (s < 90) {
            return String.format(Locale.ROOT, "%.0f s", s);
        }
        if (s < 90 * 60) {
            return String.format(Locale.ROOT, "%.1f min", s / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
