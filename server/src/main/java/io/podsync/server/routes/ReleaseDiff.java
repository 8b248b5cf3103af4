package io.podsync.server.routes;

import io.podsync.protocol.StopSpec;
import io.podsync.protocol.StopView;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.sync.Manifests;
import io.podsync.storage.RouteRow;
import io.podsync.storage.StopRow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The diff step of a release: what it changes against what is stored. Pure: the stored rows are read before, and
 * written after, by {@link RouteReleaser}.
 */
final class ReleaseDiff {
    private ReleaseDiff() {}

    /**
     * A released stop that gets a new version.
     *
     * @param index its place in the release (and in {@link PreparedRelease}'s lists)
     * @param prev the stop as stored before, or {@code null} for a new stop
     * @param moved whether it comes from another route (which then gets a version without it)
     * @param handedOver whether it was another driver's (who loses it: fencing)
     */
    record StopChange(
            int index, StopSpec spec, StopRow prev, String status, long version, boolean moved, boolean handedOver) {}

    /** The same content released again, to an active route, is a no-op. */
    static boolean unchanged(RouteRow existing, String hash) {
        return existing != null
                && RouteReleaser.ACTIVE.equals(existing.status())
                && hash.equals(existing.contentHash());
    }

    /**
     * The released stops that change: new ones, and those whose route, driver, content or status differ from what is
     * stored. In the release's order.
     *
     * @param stopHashes one per released stop, in the release's order
     * @param previous the stored stops by id (of any route)
     */
    static List<StopChange> changes(
            String routeId,
            String driver,
            List<StopSpec> specs,
            List<String> stopHashes,
            Map<String, StopRow> previous) {
        List<StopChange> out = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            StopSpec spec = specs.get(i);
            StopRow prev = previous.get(spec.stopId());
            String status = spec.isCancelled() ? RouteReleaser.CANCELLED : RouteReleaser.ACTIVE;
            boolean moved = prev != null && !prev.routeId().equals(routeId);
            boolean handedOver = prev != null && !prev.driverId().equals(driver);
            if (prev != null
                    && !moved
                    && !handedOver
                    && prev.contentHash().equals(stopHashes.get(i))
                    && prev.status().equals(status)) {
                continue;
            }
            out.add(new StopChange(i, spec, prev, status, prev == null ? 1 : prev.version() + 1, moved, handedOver));
        }
        return out;
    }

    /** The route's stored stops that the release no longer lists and that are not removed yet. */
    static List<StopRow> gone(Collection<StopRow> own, List<StopSpec> specs) {
        Set<String> incoming = new HashSet<>();
        specs.forEach(s -> incoming.add(s.stopId()));
        return own.stream()
                .filter(s -> !incoming.contains(s.stopId()) && !RouteReleaser.REMOVED.equals(s.status()))
                .toList();
    }

    /**
     * The first version with the stop's current goods and place: kept when they read as before (an outcome captured
     * against the earlier version still reads right), else this one.
     */
    static long manifestSince(StopRow prev, StopView view) {
        return prev != null && Manifests.sameContent(ProtocolJson.read(prev.viewJson(), StopView.class), view)
                ? prev.manifestSince()
                : view.version();
    }

    /** The route's stop ids in driving order: by sequence, then id. */
    static List<String> stopOrder(List<StopSpec> specs) {
        return specs.stream()
                .sorted(Comparator.comparing(StopSpec::sequence).thenComparing(StopSpec::stopId))
                .map(StopSpec::stopId)
                .toList();
    }
}
