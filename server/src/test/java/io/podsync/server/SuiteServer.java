package io.podsync.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test harness: one real server per test class, on a free port, in a fresh data directory, over the database the
 * class asks for (SQLite, or PostgreSQL with {@link OnPostgres}). Register it as a static field; the starter starts the
 * server (and what the suite needs beside it, closed after the class through {@code alsoClose}):
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
 *     server = TestServer.start(dir, db);
 *     device = server.device("D1");
 *     return server;
 * });
 * }</pre>
 *
 * Classes that start servers per test (restarts, outages) take the same database from {@link #database(Class)}.
 */
final class SuiteServer implements BeforeAllCallback, AfterAllCallback {
    /** Starts the suite's server in {@code dir} on the {@code database} settings. */
    @FunctionalInterface
    interface Starter {
        TestServer start(Path dir, Map<String, String> database, List<AutoCloseable> alsoClose) throws Exception;
    }

    private final Starter starter;
    private final List<AutoCloseable> open = new ArrayList<>();
    private Path dir;

    SuiteServer(Starter starter) {
        this.starter = starter;
    }

    /** The database settings for a test class: a fresh PostgreSQL database with {@link OnPostgres}, else SQLite's. */
    static Map<String, String> database(Class<?> testClass) {
        return testClass.isAnnotationPresent(OnPostgres.class) ? Postgres.freshDatabase() : Map.of();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory(
                "podsync-" + context.getRequiredTestClass().getSimpleName());
        List<AutoCloseable> alsoClose = new ArrayList<>();
        try {
            TestServer server = starter.start(dir, database(context.getRequiredTestClass()), alsoClose);
            open.add(server);
        } finally {
            open.addAll(alsoClose); // closed after the server: an ERP receiver outlives the outbox that sends to it
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Exception first = null;
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        delete(dir);
        if (first != null) {
            throw first;
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the test's data directory " + dir, e);
        }
    }
}
