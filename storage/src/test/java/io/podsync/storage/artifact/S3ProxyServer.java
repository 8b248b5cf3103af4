package io.podsync.storage.artifact;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * A real S3 server in this JVM: S3Proxy 4.x over a directory, on 127.0.0.1 and a free port, checking AWS V2/V4
 * signatures. S3Proxy 4 no longer uses jclouds; the {@code filesystem} provider still reads the jclouds property name
 * for its directory.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "podsync-test";
    public static final String SECRET_KEY = "podsync-test-secret";
    public static final String REGION = "us-east-1";

    private final BlobStore blobStore;
    private final S3Proxy proxy;
    // Remembered because getPort() answers -2 once stopped, and tests want to aim at the dead port.
    private final URI endpoint;

    private S3ProxyServer(BlobStore blobStore, S3Proxy proxy) {
        this.blobStore = blobStore;
        this.proxy = proxy;
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Starts a server keeping its buckets under {@code directory}, which must exist, on a free port. */
    public static S3ProxyServer start(Path directory) throws Exception {
        return start(directory, 0);
    }

    /** Starts a server on a given port: a test that stopped one starts it again where clients expect it. */
    public static S3ProxyServer start(Path directory, int port) throws Exception {
        var properties = new Properties();
        properties.setProperty(
                "jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        BlobStore blobStore = BlobStores.create("filesystem", properties);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                // Tests finish their requests before stopping; the default drain waits on idle keep-alive connections.
                .stopTimeout(0)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return new S3ProxyServer(blobStore, proxy);
    }

    public URI endpoint() {
        return endpoint;
    }

    public S3Config config(String bucket, String prefix) {
        return new S3Config(endpoint().toString(), REGION, bucket, ACCESS_KEY, SECRET_KEY, prefix);
    }

    public void stop() throws Exception {
        proxy.stop();
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            blobStore.close();
        }
    }
}
