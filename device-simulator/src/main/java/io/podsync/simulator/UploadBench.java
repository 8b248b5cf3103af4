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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

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
              --concurrency N     uploads in flight at once on each path, as from several devices (default 4)
              --warmup N          seconds per size and path uploaded first and not measured, so every JVM on
                                  the path (device, server, S3 server) has compiled it (default 5)
            """;

    private UploadBench() {}

    static int run(Args a, PrintStream out) throws Exception {
        URI server = URI.create(a.required("server"));
        String secret = a.required("erp-secret");
        String client = a.string("erp-client", "erp");
        String s3 = a.required("s3");
        String sizes = a.string("sizes", "100000,1000000,10000000");
        int seconds = a.integer("seconds", 10, 1, 3600);
        int concurrency = a.integer("concurrency", 4, 1, 256);
        int warmup = a.integer("warmup", 5, 0, 3600);
        a.rejectUnknown();
        PodsyncClient erp = new PodsyncClient(server).useClient(client, secret);
        List<PodsyncClient> devices = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            String driver = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            PodsyncClient device = new PodsyncClient(server);
            device.enroll(erp.createEnrollment(driver).code(), "upload-bench-" + i, "simulator", "bench");
            devices.add(device);
        }
        HttpClient http = HttpClient.newHttpClient();
        AtomicLong serial = new AtomicLong();
        List<String> rows = new ArrayList<>();
        for (String s : sizes.split(",")) {
            int size = Integer.parseInt(s.trim());
            byte[] template = jpeg(size, new Random(size));
            // Every upload is new content (else the server answers "have it"), made without generating megabytes
            // of random bytes inside the timed loop: a serial number in the bytes after the JPEG marker.
            Supplier<byte[]> next = () -> unique(template, serial.incrementAndGet());
            IntConsumer throughServer =
                    i -> devices.get(i).upload(next.get(), "image/jpeg", EvidenceKind.PHOTO, size, 3);
            IntConsumer directPut = i -> put(http, s3, next.get());
            if (warmup > 0) {
                measure(warmup, size, concurrency, throughServer);
                measure(warmup, size, concurrency, directPut);
            }
            double viaServer = measure(seconds, size, concurrency, throughServer);
            double direct = measure(seconds, size, concurrency, directPut);
            String row = "size=%d concurrency=%d via-server=%.1fMB/s direct=%.1fMB/s ratio=%.0f%%"
                    .formatted(size, concurrency, viaServer, direct, 100 * viaServer / direct);
            out.println(row);
            rows.add(row);
        }
        return 0;
    }

    /** MB/s over {@code seconds}, with {@code concurrency} workers each uploading one artifact after another. */
    private static double measure(int seconds, int size, int concurrency, IntConsumer upload) throws Exception {
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        AtomicLong n = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                int worker = i;
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        upload.accept(worker);
                        n.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        }
        return n.get() * (double) size / ((System.nanoTime() - start) / 1e9) / 1e6;
    }

    static byte[] unique(byte[] template, long serial) {
        byte[] b = template.clone();
        for (int i = 0; i < 8 && 4 + i < b.length; i++) {
            b[4 + i] = (byte) (serial >>> (8 * i));
        }
        return b;
    }

    private static void put(HttpClient http, String bucketUrl, byte[] bytes) {
        try {
            HttpResponse<Void> r = http.send(
                    HttpRequest.newBuilder(URI.create(bucketUrl + "/direct-" + UUID.randomUUID()))
                            .header("Content-Type", "image/jpeg")
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
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
