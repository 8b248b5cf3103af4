package io.podsync.server.routes;

import io.helidon.common.uri.UriInfo;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.ReassignRequest;
import io.podsync.protocol.RouteDetail;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.RouteReleaseResult;
import io.podsync.protocol.Violation;
import io.podsync.protocol.validation.ProtocolValidator;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import java.util.List;
import java.util.regex.Pattern;

/** Route release for ERP/dispatch, and route reading for ERP, ops and the route's own driver. */
public final class RouteService implements HttpService {
    private static final int SMALL_BODY = 16 * 1024;

    private final RouteReleaser releaser;
    private final int maxBodyBytes;
    private final Runnable onRelease;

    public RouteService(RouteReleaser releaser, int maxBodyBytes, Runnable onRelease) {
        this.releaser = releaser;
        this.maxBodyBytes = maxBodyBytes;
        this.onRelease = onRelease;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.put("/{routeId}", this::release)
                .get("/{routeId}", this::get)
                .post("/{routeId}/cancel", this::cancel)
                .post("/{routeId}/reassign", this::reassign);
    }

    private void release(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.ERP, Scope.OPS);
        String routeId = routeId(req);
        RouteRelease r = JsonBodies.read(req, RouteRelease.class, maxBodyBytes);
        List<Violation> v = ProtocolValidator.validateRelease(routeId, r);
        if (!v.isEmpty()) {
            throw ProblemException.invalid(v);
        }
        RouteReleaseResult result = releaser.release(routeId, r, baseUrl(req));
        if (result.changed()) {
            onRelease.run();
        }
        JsonBodies.ok(res, result);
    }

    private void get(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.DRIVER, Scope.ERP, Scope.OPS);
        String routeId = routeId(req);
        RouteDetail detail = releaser.detail(routeId).orElse(null);
        if (p.isDriver()
                && (detail == null || !p.driverId().equals(detail.route().driverId()))) {
            // Same answer for someone else's route and for no route: a driver learns nothing about others.
            throw ProblemException.forbidden("route_not_assigned", "this route is not assigned to you");
        }
        if (detail == null) {
            throw ProblemException.notFound("route_not_found", "no route " + routeId);
        }
        JsonBodies.ok(res, detail);
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.ERP, Scope.OPS);
        String routeId = routeId(req);
        JsonBodies.ok(res, releaser.cancel(routeId, baseUrl(req)).orElseThrow(() -> notFound(routeId)));
    }

    private void reassign(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.ERP, Scope.OPS);
        String routeId = routeId(req);
        ReassignRequest r = JsonBodies.read(req, ReassignRequest.class, SMALL_BODY);
        List<Violation> v = new java.util.ArrayList<>(ProtocolValidator.validateId(r.driverId(), "driverId"));
        if (r.vehicleId() != null) {
            v.addAll(ProtocolValidator.validateId(r.vehicleId(), "vehicleId"));
        }
        if (!v.isEmpty()) {
            throw ProblemException.invalid(v);
        }
        JsonBodies.ok(
                res,
                releaser.reassign(routeId, r.driverId(), r.vehicleId(), baseUrl(req))
                        .orElseThrow(() -> notFound(routeId)));
    }

    /**
     * How this ERP or ops client reached the server ({@code scheme://host[:port]} as its request named it), or null for
     * a host that is not a plain host name, address and port. Only these authenticated clients set it: a base taken
     * from a device's request would send the ERP's token wherever the device says.
     */
    static String baseUrl(ServerRequest req) {
        UriInfo uri = req.requestedUri();
        String authority = uri.authority();
        return authority != null && HOST.matcher(authority).matches() ? uri.scheme() + "://" + authority : null;
    }

    private static final Pattern HOST =
            Pattern.compile("[A-Za-z0-9.\\-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}](:[0-9]{1,5})?");

    private static String routeId(ServerRequest req) {
        String id = req.path().pathParameters().get("routeId");
        List<Violation> v = ProtocolValidator.validateId(id, "routeId");
        if (!v.isEmpty()) {
            throw ProblemException.invalid(v);
        }
        return id;
    }

    private static ProblemException notFound(String routeId) {
        return ProblemException.notFound("route_not_found", "no route " + routeId);
    }
}
