package io.podsync.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load generator's plain HTTP/1.1 connection against the JDK's HTTP server. */
class RawHttpConnectionTest {
    HttpServer server;
    URI uri;
    final List<String> seen = new CopyOnWriteArrayList<>();
    final Set<String> peers = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/echo", x -> {
            record(x);
            byte[] body = x.getRequestBody().readAllBytes();
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked", x -> {
            record(x);
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(201, 0); // 0: chunked
            try (OutputStream out = x.getResponseBody()) {
                out.write("first-".getBytes(StandardCharsets.UTF_8));
                out.flush();
                out.write("second".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/closing", x -> {
            record(x);
            x.getRequestBody().readAllBytes();
            x.getResponseHeaders().add("Connection", "close");
            byte[] body = "bye".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(401, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void record(HttpExchange x) {
        seen.add(x.getRequestMethod() + " " + x.getRequestURI() + " "
                + x.getRequestHeaders().getFirst("Authorization") + " "
                + x.getRequestHeaders().getFirst("Content-Type"));
        peers.add(x.getRemoteAddress().toString());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void postsTheBodyWithTheTokenAndReadsAnAnswerWithALengthOverOneKeptConnection() throws IOException {
        try (var c = new RawHttpConnection(uri)) {
            for (int i = 0; i < 3; i++) {
                byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                RawHttpConnection.Answer a = c.postJson("/echo", "tok-" + i, body);
                assertEquals(200, a.status());
                assertArrayEquals(body, a.body());
            }
        }
        assertEquals("POST /echo Bearer tok-1 application/json", seen.get(1));
        assertEquals(1, peers.size(), "one connection for all three: " + peers);
    }

    @Test
    void readsAChunkedAnswer() throws IOException {
        try (var c = new RawHttpConnection(uri)) {
            RawHttpConnection.Answer a = c.postJson("/chunked", "t", new byte[] {'{', '}'});
            assertEquals(201, a.status());
            assertEquals("first-second", new String(a.body(), StandardCharsets.UTF_8));
            assertEquals(200, c.postJson("/echo", "t", new byte[] {'1'}).status(), "still usable after it");
        }
    }

    @Test
    void opensANewConnectionAfterTheServerClosedTheLastOne() throws IOException {
        try (var c = new RawHttpConnection(uri)) {
            RawHttpConnection.Answer a = c.postJson("/closing", "t", new byte[] {'x'});
            assertEquals(401, a.status());
            assertEquals("bye", new String(a.body(), StandardCharsets.UTF_8));
            assertEquals(200, c.postJson("/echo", "t", new byte[] {'y'}).status());
        }
        assertEquals(2, peers.size(), "a second connection: " + peers);
    }

    @Test
    void aServerThatIsNotThereIsAnIoFailureAndHttpsIsRefused() {
        server.stop(0);
        try (var c = new RawHttpConnection(uri)) {
            assertThrows(IOException.class, () -> c.postJson("/echo", "t", new byte[] {'z'}));
        }
        var e = assertThrows(
                IllegalArgumentException.class, () -> new RawHttpConnection(URI.create("https://127.0.0.1:1")));
        assertTrue(e.getMessage().contains("plain http"), e.getMessage());
    }
}
