package io.podsync.protocol;

import java.util.List;

/** A route with its stops and the server's view of each stop, for ERP, ops and the route's own driver. */
public record RouteDetail(RouteView route, List<StopView> stops, List<StopStateView> states) {}
