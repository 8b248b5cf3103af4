package io.podsync.protocol;

import java.util.List;

/** A page of routes by id; pass {@code nextAfter} as {@code after} for the next page (absent on the last). */
public record RoutePage(List<RouteSummary> items, String nextAfter) {}
