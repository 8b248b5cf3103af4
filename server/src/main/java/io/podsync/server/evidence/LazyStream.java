package io.podsync.server.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/** Opens the underlying stream on first read, so that concatenating many staged chunks holds one open at a time. */
final class LazyStream extends InputStream {
    private final Supplier<InputStream> opener;
    private InputStream in;

    LazyStream(Supplier<InputStream> opener) {
        this.opener = opener;
    }

    private InputStream in() {
        if (in == null) {
            in = opener.get();
        }
        return in;
    }

    @Override
    public int read() throws IOException {
        return in().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in().read(b, off, len);
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
        }
    }
}
