package io.podsync.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A network link the test can cut: a TCP forwarder on a port of its own to a server behind it. Cut, it drops every
 * connection and resets new ones at once (a store that went away), while keeping its port, so that the link is back
 * where clients expect it without restarting the server behind it on a port someone else may have taken meanwhile.
 */
final class TcpLink implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    TcpLink(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("tcp-link-" + listener.getLocalPort()).start(this::accept);
    }

    /** Where clients connect instead of the server behind. */
    URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** Drops every connection; new ones are reset until {@link #restore}. */
    void cut() {
        cut = true;
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    void restore() {
        cut = false;
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                try {
                    client.setSoLinger(true, 0); // a reset, as from a host that is gone
                } catch (IOException ignored) {
                    // closed below anyway
                }
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        try (Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            open.add(client);
            open.add(server);
            Thread back = Thread.ofVirtual().start(() -> pump(server, client));
            pump(client, server);
            back.join();
        } catch (IOException | InterruptedException e) {
            // the link was cut or a side hung up
        } finally {
            open.remove(client);
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // cut, or one side closed
        } finally {
            open.remove(from);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // going anyway
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        listener.close();
    }
}
