package io.podsync.storage.artifact;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Passes on at most {@code limit} bytes of a stream while hashing them with SHA-256, and remembers whether the source
 * ended or failed before the limit. Stores hand this to whatever consumes the bytes (a file, the S3 client) and
 * afterwards ask it what really went through, instead of trusting how the consumer reports a short stream: minio, for
 * one, reports it as a plain {@link IOException}, indistinguishable from the store being down.
 *
 * <p>With an expected SHA-256 it also verifies: the read that would hand over the last byte first compares the
 * digest and, on a mismatch, fails instead. Whatever consumes the stream never sees the whole body of wrong bytes,
 * so it cannot complete a write of them (an S3 PUT with a short body, or a multipart upload missing its last part,
 * stores nothing).
 *
 * <p>{@link #close()} leaves the source open: the caller of {@code putStaging} owns it.
 */
final class MeteredInputStream extends FilterInputStream {
    private final long limit;
    private final MessageDigest digest;
    private final String expected;
    private long count;
    private boolean cutShort;
    private boolean mismatched;
    private String hex;

    MeteredInputStream(InputStream in, long limit) {
        this(in, limit, null);
    }

    /** @param expected lowercase hex SHA-256 the {@code limit} bytes must have, or null to only hash them */
    MeteredInputStream(InputStream in, long limit, String expected) {
        super(in);
        this.expected = expected;
        if (limit < 0) {
            throw new ArtifactStoreException("size must not be negative: " + limit, null, false, false);
        }
        this.limit = limit;
        this.digest = newSha256();
    }

    @Override
    public int read() throws IOException {
        if (count >= limit) {
            return -1;
        }
        int b = fromSource(() -> in.read());
        if (b < 0) {
            cutShort = true;
            return -1;
        }
        digest.update((byte) b);
        count++;
        verifyAtEnd();
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (count >= limit) {
            return -1;
        }
        int n = fromSource(() -> in.read(buffer, offset, (int) Math.min(length, limit - count)));
        if (n < 0) {
            cutShort = true;
            return -1;
        }
        digest.update(buffer, offset, n);
        count += n;
        verifyAtEnd();
        return n;
    }

    // Skipped bytes must still be hashed and counted, so skipping reads.
    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), limit - count);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readLimit) {}

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    @Override
    public void close() {}

    long count() {
        return count;
    }

    long limit() {
        return limit;
    }

    /** The source ran dry, or failed (the client went away), before {@code limit} bytes. */
    boolean wasCutShort() {
        return cutShort;
    }

    /** Lowercase hex SHA-256 of the bytes read so far; call once, after the last read. */
    String sha256Hex() {
        return hex != null ? hex : HexFormat.of().formatHex(digest.digest());
    }

    /** The bytes were all there but had another SHA-256 than expected. */
    boolean wasMismatched() {
        return mismatched;
    }

    private void verifyAtEnd() throws IOException {
        if (count == limit && hex == null) {
            hex = HexFormat.of().formatHex(digest.digest());
            if (expected != null && !expected.equals(hex)) {
                mismatched = true;
                throw new IOException("the bytes do not have the expected SHA-256");
            }
        }
    }

    /** The non-transient failure for a chunk that delivered fewer bytes than announced. */
    ArtifactStoreException cutShort(String key, Throwable cause) {
        return new ArtifactStoreException(
                "chunk for staging key " + key + " was cut short: got " + count + " of " + limit + " bytes",
                cause,
                false,
                false);
    }

    private int fromSource(SourceRead read) throws IOException {
        try {
            return read.read();
        } catch (IOException e) {
            cutShort = true;
            throw e;
        }
    }

    @FunctionalInterface
    private interface SourceRead {
        int read() throws IOException;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
