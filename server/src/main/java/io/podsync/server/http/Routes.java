package io.podsync.server.http;

import io.helidon.common.uri.UriPath;
import io.helidon.http.Method;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The routes the server serves, read from the services themselves: they register their routes here as they do with
 * Helidon's routing, so nothing is listed by hand. As a filter it names each request's route template (such as
 * {@code /v1/routes/{routeId}}) in the request context: metrics and logs count by template, not by path, and
 * authentication leaves a path that no route serves to the fallback's 404.
 */
public final class Routes implements Filter {
    /** One route: a method (GET also answers HEAD) and a path pattern. */
    public record Route(Method method, String pattern) {}

    /** The template of the route a request's path matched, in the request context. */
    public record Matched(String template) {}

    private final List<Route> routes = new ArrayList<>();
    // Patterns without parameters by path (most requests), the others matched in registration order, as Helidon does.
    private final Map<String, String> exact = new HashMap<>();
    private final List<Map.Entry<String, PathMatcher>> patterns = new ArrayList<>();

    private Routes() {}

    /** The routes that {@code services} registers. */
    public static Routes of(Consumer<HttpRules> services) {
        Routes r = new Routes();
        services.accept(r.new Recorder(""));
        return r;
    }

    public List<Route> all() {
        return Collections.unmodifiableList(routes);
    }

    /** The pattern of the first route whose path matches {@code path}, whatever its method; empty when none does. */
    public Optional<String> template(String path) {
        String t = exact.get(path);
        if (t != null) {
            return Optional.of(t);
        }
        UriPath uri = UriPath.create(path);
        for (Map.Entry<String, PathMatcher> p : patterns) {
            if (p.getValue().match(uri).accepted()) {
                return Optional.of(p.getKey());
            }
        }
        return Optional.empty();
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        template(req.path().path()).ifPresent(t -> req.context().register(new Matched(t)));
        chain.proceed();
    }

    /** The request's route template; empty for a path that no route serves. */
    public static Optional<String> templateOf(ServerRequest req) {
        return req.context().get(Matched.class).map(Matched::template);
    }

    private void add(Method method, String pattern) {
        routes.add(new Route(method, pattern));
        boolean plain = !pattern.contains("{") && !pattern.contains("*");
        if (plain) {
            exact.putIfAbsent(pattern, pattern);
        } else if (patterns.stream().noneMatch(p -> p.getKey().equals(pattern))) {
            patterns.add(Map.entry(pattern, PathMatchers.create(pattern)));
        }
    }

    /** Takes the routes as services register them, under the prefixes they are mounted at. */
    private final class Recorder implements HttpRules {
        private final String prefix;

        Recorder(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public HttpRules register(HttpService... services) {
            for (HttpService s : services) {
                s.routing(this);
            }
            return this;
        }

        @Override
        public HttpRules register(String pathPattern, HttpService... services) {
            for (HttpService s : services) {
                s.routing(new Recorder(prefix + pathPattern));
            }
            return this;
        }

        @Override
        public HttpRules route(HttpRoute route) {
            throw new IllegalStateException("a route registered in a way that cannot be read: " + route);
        }

        @Override
        public HttpRules route(Method method, String pathPattern, Handler handler) {
            add(method, prefix + (pathPattern.equals("/") && !prefix.isEmpty() ? "" : pathPattern));
            return this;
        }

        @Override
        public HttpRules any(String pathPattern, Handler... handlers) {
            throw new IllegalStateException("a route for any method at " + pathPattern + " has no one method");
        }
    }
}
