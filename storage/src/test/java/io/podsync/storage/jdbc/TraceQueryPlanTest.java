package io.podsync.storage.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.storage.DatabaseConfig;
import io.podsync.storage.DatabaseKind;
import io.podsync.storage.TraceRepository;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of the trace is answered from an index: SQLite's EXPLAIN QUERY PLAN of each statement the trace
 * repository runs must not scan a table (a scan of a table that grows with traffic is what would turn milliseconds on
 * a test database into seconds on a million events). The plans are those of a freshly migrated database without
 * ANALYZE statistics, as the server runs.
 */
class TraceQueryPlanTest {
    @TempDir
    Path dir;

    @Test
    void everyTraceQueryUsesAnIndex() throws Exception {
        List<String> statements = statementsOf(repo -> {
            List<String> stops = List.of("S-1", "S-2");
            List<String> routes = List.of("R-1");
            repo.stopsOfOrder("O-1", 10);
            repo.stopsOfRoute("R-1", 10);
            repo.routesOfStops(stops);
            repo.routesOfCorrelation("c-1", 10);
            repo.messagesOfCorrelation("c-1", 10);
            repo.stopsOfEventKey("k-1", 10);
            repo.stopsOfArtifact("ab".repeat(32), 10);
            repo.routeVersions(routes, 10);
            repo.routePulls(routes, 10);
            repo.events(stops, 10);
            repo.evidenceOfStops(stops, 10);
            repo.artifacts(List.of("ab".repeat(32)));
            repo.uploads(List.of("ab".repeat(32)), 10);
            repo.exceptions(stops, routes, 10);
            repo.outbox(java.util.Map.of("S-1", "R-1"), routes, 10);
            repo.attempts(List.of(1L, 2L), 10);
            repo.actions(List.of(1L), List.of("erp"), 0, 10);
        });
        assertTrue(statements.size() >= 18, statements.toString());
        List<String> scans = new ArrayList<>();
        for (String sql : statements) {
            List<String> plan = plan(sql);
            assertFalse(plan.isEmpty(), sql);
            plan.stream().filter(TraceQueryPlanTest::isScan).forEach(line -> scans.add(line + "  <-  " + sql));
        }
        assertEquals(List.of(), scans, "trace queries that scan a table");
    }

    @Test
    void theCheckSeesAScan() throws Exception {
        statementsOf(repo -> {}); // migrates the database
        assertTrue(plan("SELECT * FROM events WHERE flags = ?").stream().anyMatch(TraceQueryPlanTest::isScan));
        assertTrue(plan("SELECT * FROM outbox WHERE stop_id = ?").stream().anyMatch(TraceQueryPlanTest::isScan));
        assertFalse(plan("SELECT * FROM events WHERE stop_id = ?").stream().anyMatch(TraceQueryPlanTest::isScan));
    }

    /**
     * A plan line that reads a whole table or index (SQLite says SCAN; SEARCH is a lookup by key). The devices are the
     * one table a trace may walk: an event is found by its key on each of them (the fleet, not the event log).
     */
    private static boolean isScan(String line) {
        return line.startsWith("SCAN ") && !line.startsWith("SCAN CONSTANT ROW") && !line.startsWith("SCAN d");
    }

    private Path file() {
        return dir.resolve("podsync.db");
    }

    /** The statements the trace repository prepares while {@code work} runs on a migrated database. */
    private List<String> statementsOf(Consumer<TraceRepository> work) throws Exception {
        Database.open(DatabaseConfig.sqlite(file())).close();
        Set<String> seen = new LinkedHashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file())) {
            Connection recording = (Connection) Proxy.newProxyInstance(
                    Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("prepareStatement")
                                && args != null
                                && args[0] instanceof String s) {
                            seen.add(s);
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            work.accept(new JdbcTx(recording, DatabaseKind.SQLITE).trace());
        }
        return new ArrayList<>(seen);
    }

    private List<String> plan(String sql) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                lines.add(rs.getString("detail"));
            }
        }
        return lines;
    }
}
