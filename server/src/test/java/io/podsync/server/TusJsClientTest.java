package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.podsync.protocol.EventResult;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClientException;
import io.podsync.protocol.json.ProtocolJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tus-js-client (npm, unmodified, run by Node) against a real server: the scenarios of
 * {@code src/test/node/tus-js-client.mjs}, then the server's side of them. The npm packages are installed from the
 * committed lock file into {@code target/node} on first use. Node is required: without it this test fails, it does
 * not skip.
 */
class TusJsClientTest {
    private static final Path SOURCES = Path.of("src/test/node");
    private static final Path INSTALL = Path.of("target/node");
    private static final int MAX_BYTES = 3_000_000;

    @TempDir
    Path dir;

    @Test
    void tusJsClientUploadsEvidence() throws Exception {
        Path modules = install();
        try (TestServer server =
                TestServer.start(dir.resolve("server"), Map.of("podsync.uploads.max-bytes", "" + MAX_BYTES))) {
            server.erp().releaseRoute("RJ", Fixtures.route("RJ", "DJ", 1));
            TestServer.Device device = server.device("DJ");
            Map<String, byte[]> files = new LinkedHashMap<>();
            long seed = 40;
            for (String name : List.of("plain", "oneRequest", "resumed", "checksummed", "corrupted", "misdeclared")) {
                files.put(name, EvidenceTest.jpeg(name.equals("resumed") ? 900_000 : 600_000, seed++));
            }
            String plain = EvidenceTest.sha(files.get("plain"));
            EventResult waiting = device.client()
                    .push(new PushRequest(Instant.now(), List.of(Fixtures.deliveryWithPhoto("RJ", 1, plain))))
                    .results()
                    .get(0);
            assertEquals(Verdict.AWAITING_EVIDENCE, waiting.verdict());

            List<Map<String, String>> list = new ArrayList<>();
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey() + ".jpg");
                Files.write(p, f.getValue());
                list.add(Map.of("name", f.getKey(), "path", p.toString(), "sha256", EvidenceTest.sha(f.getValue())));
            }
            Path config = dir.resolve("config.json");
            Files.write(
                    config,
                    ProtocolJson.toBytes(Map.of(
                            "server", server.uri().toString(),
                            "token", device.token(),
                            "otherToken", server.device("DJ2").token(),
                            "maxBytes", MAX_BYTES,
                            "files", list)));

            String output = node(modules, config);

            for (String scenario : List.of(
                    "upload",
                    "creationWithUpload",
                    "cutAndResume",
                    "checksum",
                    "wrongChecksum",
                    "wrongHash",
                    "oversize",
                    "known")) {
                assertTrue(output.contains("ok " + scenario + "\n"), "scenario " + scenario + " ran:\n" + output);
            }
            for (String stored : List.of("plain", "oneRequest", "resumed", "checksummed")) {
                assertArrayEquals(
                        files.get(stored), server.erp().download(EvidenceTest.sha(files.get(stored))), stored);
            }
            for (String refused : List.of("corrupted", "misdeclared")) {
                PodsyncClientException e = org.junit.jupiter.api.Assertions.assertThrows(
                        PodsyncClientException.class,
                        () -> server.erp().download(EvidenceTest.sha(files.get(refused))));
                assertEquals(404, e.status(), refused);
            }
            assertEquals("delivered", server.stopState("RJ", "RJ-S1").status(), "the upload released the delivery");
        }
    }

    /** Runs the scenarios; fails with Node's output when one fails. */
    private static String node(Path modules, Path config) throws IOException, InterruptedException {
        Path script = modules.getParent().resolve("tus-js-client.mjs");
        Files.copy(SOURCES.resolve("tus-js-client.mjs"), script, StandardCopyOption.REPLACE_EXISTING);
        return run(new ProcessBuilder("node", script.toString(), config.toString()), 120, "tus-js-client scenarios");
    }

    /**
     * The npm packages of {@code src/test/node}, installed with {@code npm ci} into {@code target/node} when missing
     * or when the lock file changed. Node and npm must be on the PATH ({@code .ci/run} installs them).
     */
    static Path install() throws IOException, InterruptedException {
        Path lock = SOURCES.resolve("package-lock.json");
        Path installedLock = INSTALL.resolve("package-lock.json");
        Path modules = INSTALL.resolve("node_modules");
        if (Files.isDirectory(modules) && Files.exists(installedLock) && Files.mismatch(lock, installedLock) == -1) {
            return modules;
        }
        Files.createDirectories(INSTALL);
        Files.copy(
                SOURCES.resolve("package.json"), INSTALL.resolve("package.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(lock, installedLock, StandardCopyOption.REPLACE_EXISTING);
        run(new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(INSTALL.toFile()), 300, "npm ci");
        return modules;
    }

    /** Runs a command to its end and returns its output; fails the test when it cannot start, hangs or fails. */
    private static String run(ProcessBuilder command, int seconds, String what) throws InterruptedException {
        Process p;
        try {
            p = command.redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(
                    "Node.js and npm are needed for the tus-js-client test (apt-get install nodejs npm): "
                            + e.getMessage(),
                    e);
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(what + " did not finish in " + seconds + " s");
        }
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(0, p.exitValue(), what + " failed:\n" + out);
        return out;
    }
}
