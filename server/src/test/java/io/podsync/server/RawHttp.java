package io.podsync.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One HTTP/1.1 connection over a plain socket, for what no HTTP client would send: bodies with {@code Expect}, HEAD
 * answers read byte for byte, a second answer on the same connection. Reads answers by their own framing, so a body
 * sent after a HEAD answer, or an answer nobody asked for, shows up as bytes that should not be there.
 */
final class RawHttp implements AutoCloseable {
    /** One answer: status, headers (names lower case) and the body its framing announced. */
    record Answer(int status, List<String[]> headers, byte[] body) {
        Optional<String> header(String name) {
            return headers.stream()
                    .filter(h -> h[0].equals(name.toLowerCase(Locale.ROOT)))
                    .map(h -> h[1])
                    .findFirst();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next answer; {@code head} says it answers a HEAD request, whose answer never has a body. */
    Answer read(boolean head) {
        try {
            String status = line();
            if (!status.startsWith("HTTP/1.1 ")) {
                throw new AssertionError("not a status line: " + status);
            }
            int code = Integer.parseInt(status.substring(9, 12));
            List<String[]> headers = new ArrayList<>();
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                headers.add(new String[] {
                    h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    h.substring(colon + 1).trim()
                });
            }
            Answer a = new Answer(code, headers, new byte[0]);
            if (head || code == 100 || code == 204 || code == 304) {
                return a;
            }
            if (a.header("transfer-encoding").filter(v -> v.contains("chunked")).isPresent()) {
                return new Answer(code, headers, chunked());
            }
            int length = Integer.parseInt(a.header("content-length").orElse("0"));
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("closed inside the body after " + body.length + " of " + length + " bytes");
            }
            return new Answer(code, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Answer read() {
        return read(false);
    }

    /**
     * What arrives within {@code millis} after the answers read so far: nothing at all ({@code ""}), the connection
     * closed ({@code null}), or the bytes nobody asked for.
     */
    String unsolicited(int millis) {
        try {
            socket.setSoTimeout(millis);
            ByteArrayOutputStream extra = new ByteArrayOutputStream();
            try {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                extra.write(b);
                byte[] buf = new byte[4096];
                int n = in.read(buf);
                if (n > 0) {
                    extra.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                // nothing more came
            } finally {
                socket.setSoTimeout(10_000);
            }
            return extra.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null; // reset by the peer: closed
        }
    }

    /** Reads to the end of the stream within the socket timeout; what came before the close. */
    byte[] readToClose() {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
            if (n == 0) {
                while (!line().isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            line();
        }
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); ; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed after: " + b);
            }
            if (c == '\n') {
                int end = b.length();
                if (end > 0 && b.charAt(end - 1) == '\r') {
                    b.setLength(end - 1);
                }
                return b.toString();
            }
            b.append((char) c);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
