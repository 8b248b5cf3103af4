package io.podsync.simulator;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection over a plain socket, for the load generator only: a POST of bytes prepared
 * ahead, and the answer's status and body (Content-Length or chunked). The JDK's HttpClient spent about half a
 * millisecond of CPU per push (and kept its JIT busy for a minute), on the same two cores as the server it measures.
 * Not for anything but plain http:// on a trusted network.
 */
final class RawHttpConnection implements Closeable {
    private static final int MAX_BODY = 64 * 1024 * 1024;
    private static final int MAX_LINE = 16 * 1024;

    /** Status and body of one answer. */
    record Answer(int status, byte[] body) {}

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawHttpConnection(URI server) {
        if (!"http".equals(server.getScheme())) {
            throw new IllegalArgumentException("the raw load connection speaks plain http only: " + server);
        }
        this.host = server.getHost();
        this.port = server.getPort() < 0 ? 80 : server.getPort();
    }

    /**
     * POSTs {@code body} as JSON with a bearer token. A connection the server closed while idle is opened again once;
     * any other failure is the caller's.
     */
    Answer postJson(String path, String bearer, byte[] body) throws IOException {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                        + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nAuthorization: Bearer "
                        + bearer + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        boolean reused = socket != null;
        try {
            return exchange(head, body);
        } catch (IOException e) {
            close();
            if (!reused) {
                throw e;
            }
            return exchange(head, body);
        }
    }

    private Answer exchange(byte[] head, byte[] body) throws IOException {
        if (socket == null) {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(120_000);
            socket = s;
            in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            out = s.getOutputStream();
        }
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        out.write(request);
        out.flush();
        return read();
    }

    private Answer read() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closing = false;
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                throw new IOException("malformed header: " + h);
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" ->
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closing = value.equalsIgnoreCase("close");
                default -> {}
            }
        }
        byte[] body;
        if (chunked) {
            body = chunkedBody();
        } else if (length >= 0) {
            if (length > MAX_BODY) {
                throw new IOException("answer too large: " + length);
            }
            body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new IOException("connection closed inside the body");
            }
        } else {
            body = in.readAllBytes(); // delimited by close
            closing = true;
        }
        if (closing) {
            close();
        }
        return new Answer(code, body);
    }

    private byte[] chunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                    // trailers are not used
                }
                return body.toByteArray();
            }
            if (body.size() + (long) n > MAX_BODY) {
                throw new IOException("answer too large");
            }
            byte[] chunk = in.readNBytes(n);
            if (chunk.length != n) {
                throw new IOException("connection closed inside a chunk");
            }
            body.write(chunk);
            if (!line().isEmpty()) {
                throw new IOException("no line end after a chunk");
            }
        }
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); ; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c == '\n') {
                int end = b.length();
                if (end > 0 && b.charAt(end - 1) == '\r') {
                    b.setLength(end - 1);
                }
                return b.toString();
            }
            if (b.length() >= MAX_LINE) {
                throw new IOException("line too long");
            }
            b.append((char) c);
        }
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
