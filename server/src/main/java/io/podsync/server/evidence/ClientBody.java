package io.podsync.server.evidence;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body whose reads fail with {@link IOException} when the client goes away. The web server reports a
 * connection dropped mid-body as an unchecked exception; for an upload that is routine (a phone lost its network),
 * and the chunk is simply discarded.
 */
final class ClientBody extends FilterInputStream {
    ClientBody(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (RuntimeException e) {
            throw new IOException("the client stream broke off", e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (RuntimeException e) {
            throw new IOException("the client stream broke off", e);
        }
    }
}
