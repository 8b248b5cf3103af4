package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.client.PodsyncClient;
import io.podsync.server.auth.KeyEncryption;
import io.podsync.storage.SigningKeyRow;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as an operator starts it ({@code Main}, in a process of its own whose umask the test sets): every file it
 * writes in its data directory is owner-only, whatever the umask.
 */
class FileModesTest {
    @TempDir
    Path dir;

    private static final Pattern LISTENING = Pattern.compile("listening on http://localhost:(\\d+)");

    /** A server process started by {@code sh -c 'umask U; exec java ... Main'}, and what it printed. */
    private record Started(Process process, int port, StringBuffer output) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    private static Started start(Path dataDir, String umask, Map<String, String> env) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        // the server's own logging configuration (the test JVM's would be another's), as an operator's start uses
        String logging = Path.of(
                        FileModesTest.class.getResource("/logging.properties").toURI())
                .toString();
        List<String> cmd = new ArrayList<>(List.of(
                javaBin,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "-Djava.util.logging.config.file=" + logging,
                "-Dpodsync.data-dir=" + dataDir,
                "-Dserver.port=0",
                "-Dserver.host=127.0.0.1",
                "io.podsync.server.Main"));
        String line = "umask " + umask + " && exec \"$@\"";
        List<String> sh = new ArrayList<>(List.of("sh", "-c", line, "sh"));
        sh.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(sh).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        StringBuffer out = new StringBuffer();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                var r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    out.append(l).append('\n');
                    Matcher m = LISTENING.matcher(l);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
                port.completeExceptionally(new AssertionError("the server ended:\n" + out));
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            return new Started(p, port.get(60, java.util.concurrent.TimeUnit.SECONDS), out);
        } catch (Exception e) {
            String threads = threadDump(javaBin, p.pid());
            p.destroyForcibly();
            throw new AssertionError("no start:\n" + out + "\n" + threads, e);
        }
    }

    private static String threadDump(String javaBin, long pid) {
        try {
            Process jcmd = new ProcessBuilder(
                            Path.of(javaBin).resolveSibling("jcmd").toString(), String.valueOf(pid), "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            return new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no thread dump: " + e + ")";
        }
    }

    /** Releases a route, enrolls a phone, uploads a photo and pushes: the database, its WAL and an artifact exist. */
    private static void useIt(Path dataDir, int port) throws IOException {
        Properties creds = new Properties();
        try (InputStream in = Files.newInputStream(dataDir.resolve("bootstrap-credentials.properties"))) {
            creds.load(in);
        }
        URI uri = URI.create("http://127.0.0.1:" + port);
        PodsyncClient erp = new PodsyncClient(uri).useClient("erp", creds.getProperty("erp.client-secret"));
        erp.releaseRoute("RM", Fixtures.route("RM", "DM", 1));
        PodsyncClient phone = new PodsyncClient(uri);
        phone.enroll(erp.createEnrollment("DM").code(), "phone", "test", "1.0");
        byte[] photo = new byte[5000];
        new Random(1).nextBytes(photo);
        photo[0] = (byte) 0xFF;
        photo[1] = (byte) 0xD8;
        photo[2] = (byte) 0xFF;
        assertTrue(
                phone.upload(photo, "image/jpeg", EvidenceKind.PHOTO, 2000, 0).isStored());
        phone.push(new PushRequest(Instant.now(), List.of(Fixtures.arrived(1, "RM-S1", Instant.now()))));
    }

    /** Every directory 0700, every file 0600, under the data directory (itself included). */
    private static void assertOwnerOnly(Path dataDir) throws IOException {
        List<String> wrong = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(dataDir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                String want = Files.isDirectory(p) ? "rwx------" : "rw-------";
                files += Files.isDirectory(p) ? 0 : 1;
                if (!mode.equals(want)) {
                    wrong.add(dataDir.relativize(p) + " " + mode);
                }
            }
        }
        assertTrue(wrong.isEmpty(), "readable by others: " + wrong);
        assertTrue(files >= 5, "the database, its WAL, the key, the credentials and an artifact: " + files);
    }

    @Test
    void everyFileTheServerWritesIsOwnerOnlyWithUmask000() throws Exception {
        Path data = dir.resolve("data");
        try (Started s = start(data, "000", Map.of())) {
            useIt(data, s.port());
            assertTrue(Files.exists(data.resolve("podsync.db-wal")));
            assertTrue(Files.exists(data.resolve("podsync.key")), "the generated key-encryption key");
            assertTrue(
                    s.output().toString().contains("generated a key-encryption key"),
                    s.output().toString());
            assertOwnerOnly(data);
        }
    }

    /**
     * With umask 022 and a data directory and database left readable by an older version: tightened, with a log line.
     * The key-encryption key comes from the environment here, as a container would give it.
     */
    @Test
    void widerModesAreTightenedAtStartWithUmask022() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path oldDb = Files.createFile(data.resolve("podsync.db"));
        Files.setPosixFilePermissions(oldDb, PosixFilePermissions.fromString("rw-r--r--"));
        byte[] raw = new byte[32];
        new Random(2).nextBytes(raw);
        String kek = Base64.getEncoder().encodeToString(raw);
        try (Started s = start(data, "022", Map.of("PODSYNC_KEYS_ENCRYPTION_DASH_KEY", kek))) {
            useIt(data, s.port());
            String log = s.output().toString();
            assertTrue(log.contains("tightened to rwx------"), log);
            assertTrue(log.contains("tightened to rw-------"), log);
            assertFalse(Files.exists(data.resolve("podsync.key")), "the configured key is used, none generated");
            assertOwnerOnly(data);
            assertEquals(1, sealedWith(data, KeyEncryption.parse(kek, "test")), "sealed with the environment's key");
        }
    }

    private static int sealedWith(Path data, KeyEncryption kek) throws Exception {
        int n = 0;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("podsync.db"));
                ResultSet rs = c.createStatement().executeQuery("SELECT kid, jwk_json FROM signing_keys")) {
            while (rs.next()) {
                SigningKeyRow row = new SigningKeyRow(rs.getString(1), rs.getString(2), 0, null);
                assertTrue(kek.isCurrent(row.jwkJson()), row.kid());
                n++;
            }
        }
        return n;
    }
}
