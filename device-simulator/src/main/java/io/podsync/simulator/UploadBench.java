package io.podsync.simulator;

import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.client.PodsyncClient;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Upload throughput through the server (declare, one chunk, verify, commit into S3) beside a direct PUT of the same
 * sizes to the same S3 server, in one run. Each artifact has fresh random bytes so none is "already stored".
 */
final class UploadBench {
    static final String HELP = """
            bench-upload: upload throughput through the server vs a direct PUT to the same S3 server

              --server URL        the podsync server, configured with the S3 store (required)
              --erp-secret S      secret of the ERP client that provisions the device (required)
              --erp-client ID     ERP client id (default erp)
              --s3 URL            bucket URL for direct PUTs, e.g. http://127.0.0.1:9000/bench (required; the
                                  S3 server must accept unsigned requests, as S3Proxy with authorization=none)
              --sizes LIST        artifact sizes in bytes (default 100000,1000000,10000000)
              --seconds N         time per size and path (default 10)
            """;

    private UploadBench() {}

    static int run(Args a, PrintStream out) throws Exception {
        URI server = URI.create(a.required("server"));
        String secret = a.required("erp-secret");
        String client = a.string("erp-client", "erp");
        String s3 = a.required("s3");
        String sizes = a.string("sizes", "100000,1000000,10000000");
        int seconds = a.integer("seconds", 10, 1, 3600);
        a.rejectUnknown();
        PodsyncClient erp = new PodsyncClient(server).useClient(client, secret);
        String driver = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        PodsyncClient device = new PodsyncClient(server);
        device.enroll(erp.createEnrollment(driver).code(), "upload-bench", "simulator", "bench");
        HttpClient http = HttpClient.newHttpClient();
        Random random = new Random(42);
        List<String> rows = new ArrayList<>();
        for (String s : sizes.split(",")) {
            int size = Integer.parseInt(s.trim());
            // warm both paths once
            device.upload(jpeg(size, random), "image/jpeg", EvidenceKind.PHOTO, size, 3);
            put(http, s3, size, random);
            double viaServer = measure(
                    seconds, size, () -> device.upload(jpeg(size, random), "image/jpeg", EvidenceKind.PHOTO, size, 3));
            double direct = measure(seconds, size, () -> put(http, s3, size, random));
            String row = "size=%d via-server=%.1fMB/s direct=%.1fMB/s ratio=%.0f%%"
                    .formatted(size, viaServer, direct, 100 * viaServer / direct);
            out.println(row);
            rows.add(row);
        }
        return 0;
    }

    private static double measure(int seconds, int size, Runnable upload) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        long n = 0;
        while (System.nanoTime() < deadline) {
            upload.run();
            n++;
        }
        return n * (double) size / ((System.nanoTime() - start) / 1e9) / 1e6;
    }

    private static void put(HttpClient http, String bucketUrl, int size, Random random) {
        try {
            HttpResponse<Void> r = http.send(
                    HttpRequest.newBuilder(URI.create(bucketUrl + "/direct-" + UUID.randomUUID()))
                            .header("Content-Type", "image/jpeg")
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(jpeg(size, random)))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("direct PUT answered " + r.statusCode());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static byte[] jpeg(int size, Random random) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        b[2] = (byte) 0xFF;
        b[3] = (byte) 0xE0;
        return b;
    }
}
