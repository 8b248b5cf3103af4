package io.podsync.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One changed entity in a pull. A device upserts {@code data} by ({@code kind}, {@code id}), or deletes the entity
 * when {@code deleted} is true.
 *
 * @param kind {@code route}, {@code stop}, {@code stop_state} or {@code verdict}
 * @param data a {@link RouteView}, {@link StopView}, {@link StopStateView} or {@link EventResult}, by kind
 */
public record Change(String kind, String id, boolean deleted, JsonNode data) {
    public static final String ROUTE = "route";
    public static final String STOP = "stop";
    public static final String STOP_STATE = "stop_state";
    public static final String VERDICT = "verdict";
}
