package io.podsync.simulator.fleet;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.Change;
import io.podsync.protocol.DeviceCredentials;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.ProtocolVersion;
import io.podsync.protocol.PullResponse;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.UploadRequest;
import io.podsync.protocol.UploadStatus;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.IdempotencyKeys;
import io.podsync.protocol.client.PodsyncClient;
import io.podsync.protocol.client.PodsyncClientException;
import io.podsync.protocol.json.ProtocolJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * One simulated offline-first driver app. All it keeps in memory is a client and an open database; {@link #restart()}
 * throws both away and starts again from the SQLite file and the stored device credentials, as a killed app would.
 * Sync follows the protocol's rules: upload evidence (resuming cut uploads), push the outbox until every event has a
 * verdict, and pull until there is nothing more (from scratch after a 410).
 */
final class SimDevice implements AutoCloseable {
    static final int CHUNK_BYTES = 4096;

    /** The network went away in the middle of a sync: everything not yet answered stays in the outbox. */
    static final class NetworkDrop extends RuntimeException {
        NetworkDrop(String what, Throwable cause) {
            super(what, cause);
        }
    }

    /** The app was killed in the middle of a sync (after the server answered, before the app recorded it). */
    static final class Crash extends RuntimeException {
        Crash(String what) {
            super(what);
        }
    }

    private final int index;
    private final Path file;
    private final URI server;
    private final Chaos chaos;
    private final Random rng;
    private final Ledger ledger;
    private final HttpClient http = HttpClient.newHttpClient();
    private volatile Duration skew;
    private Outbox outbox;
    private PodsyncClient client;

    private SimDevice(int index, Path file, URI server, Chaos chaos, Random rng, Ledger ledger, Duration skew) {
        this.index = index;
        this.file = file;
        this.server = server;
        this.chaos = chaos;
        this.rng = rng;
        this.ledger = ledger;
        this.skew = skew;
    }

    /** A fresh install: redeems the code and keeps the credentials in the outbox file. */
    static SimDevice enroll(
            int index, Path file, URI server, String code, Chaos chaos, Random rng, Ledger ledger, Duration skew) {
        PodsyncClient client = new PodsyncClient(server);
        DeviceCredentials c = client.enroll(code, "sim-" + index, "simulator", "fleet");
        SimDevice d = new SimDevice(index, file, server, chaos, rng, ledger, skew);
        d.outbox = Outbox.open(file);
        d.client = client;
        d.outbox.saveIdentity(new Outbox.Identity(c.deviceId(), c.deviceSecret()));
        return d;
    }

    /** Kill and start again: nothing survives but the SQLite file. */
    void restart() {
        outbox.close();
        outbox = Outbox.open(file);
        Outbox.Identity id = outbox.identity();
        client = new PodsyncClient(server).useDevice(id.deviceId(), id.deviceSecret());
    }

    String deviceId() {
        return outbox.identity().deviceId();
    }

    Outbox.Identity identity() {
        return outbox.identity();
    }

    /** The device clock: real time plus this phone's error. Stamps capturedAt and sentAt alike (protocol 10). */
    Instant now() {
        return Instant.now().plus(skew);
    }

    /** A scripted clock change (the user sets the time, or the network corrects it). */
    void jumpClock(Duration by) {
        skew = skew.plus(by);
    }

    CapturedEvent capture(Action a, int step) {
        CapturedEvent e = outbox.capture(
                seq -> new CapturedEvent(
                        IdempotencyKeys.newKey(), seq, a.type(), a.stopId(), a.attempt(), now(), a.payload()),
                a.evidence());
        ledger.captured(index, e, a.evidence(), step);
        return e;
    }

    /**
     * One sync: uploads, pushes, pulls. Returns false when the network dropped part way; whatever was not answered is
     * still in the outbox and goes out next time. With {@code chaotic} false (the final phase) no fault is injected.
     */
    boolean sync(int step, boolean chaotic) {
        try {
            uploadEvidence(chaotic);
            push(step, chaotic);
            pull(step);
            return true;
        } catch (NetworkDrop e) {
            ledger.networkFailures.incrementAndGet();
            return false;
        } catch (PodsyncClientException e) {
            if (isNetworkLike(e)) {
                ledger.networkFailures.incrementAndGet();
            } else {
                ledger.problem("device " + index + ": " + e.getMessage());
            }
            return false;
        }
    }

    /** Nothing left to push or upload, and no verdict still waiting for evidence. */
    boolean quiet() {
        return outbox.count("status = 'pending'") == 0
                && outbox.uploads().isEmpty()
                && outbox.count("verdict = 'awaiting_evidence'") == 0;
    }

    int pendingEvents() {
        return outbox.count("status = 'pending'");
    }

    /** Simulates restoring the app from an old backup: the stored cursor is one the server never issued. */
    void corruptCursor() {
        if (outbox.cursor() != null) {
            outbox.saveCursor("restored-from-backup-" + rng.nextInt(1_000_000));
        }
    }

    private static boolean isNetworkLike(PodsyncClientException e) {
        return e.status() == 0 || e.status() == 429 || e.status() >= 500 || e.isRetryable();
    }

    private void slow() {
        if (chaos.slowNetworkMs() > 0) {
            try {
                Thread.sleep(chaos.slowNetworkMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NetworkDrop("interrupted", e);
            }
        }
    }

    // --- evidence ---

    private void uploadEvidence(boolean chaotic) {
        for (Outbox.Upload u : outbox.uploads()) {
            UploadStatus s = null;
            if (u.uploadId() != null) {
                slow();
                try {
                    s = client.uploadStatus(u.uploadId()); // resume where the cut left it (tus HEAD/GET)
                    ledger.uploadsResumed.incrementAndGet();
                } catch (PodsyncClientException e) {
                    if (e.status() != 404 && e.status() != 410) {
                        throw e;
                    }
                    // expired or closed: declare again below
                }
            }
            boolean cut = chaotic && rng.nextDouble() < chaos.cutUploadProbability();
            if (s == null && !cut) {
                slow();
                client.upload(u.bytes(), u.mediaType(), u.kind(), CHUNK_BYTES, 3);
                ledger.uploads.incrementAndGet();
                outbox.uploaded(u.sha256());
                continue;
            }
            if (s == null) {
                s = declare(u);
            }
            if (!s.isStored()) {
                outbox.uploadStarted(u.sha256(), s.uploadId());
            }
            while (!s.isStored()) {
                slow();
                s = client.sendChunk(s.uploadId(), s.offset(), u.bytes(), CHUNK_BYTES);
                if (cut && !s.isStored()) {
                    ledger.uploadsCut.incrementAndGet();
                    throw new NetworkDrop("upload cut after offset " + s.offset(), null);
                }
            }
            ledger.uploads.incrementAndGet();
            outbox.uploaded(u.sha256());
        }
    }

    /**
     * Declares an upload without sending bytes, to learn its id. The reference client only declares inside {@code
     * upload}, which then sends everything; a cut needs the id in hand before the first chunk.
     */
    private UploadStatus declare(Outbox.Upload u) {
        slow();
        String token = client.authenticate().accessToken();
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.toString().replaceAll("/$", "") + "/v1/uploads"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header(ProtocolVersion.HEADER, ProtocolVersion.CURRENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(ProtocolJson.toBytes(
                        new UploadRequest(u.sha256(), (long) u.bytes().length, u.mediaType(), u.kind()))))
                .build();
        try {
            HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() >= 400) {
                throw new PodsyncClientException(
                        res.statusCode(), null, "POST /v1/uploads -> " + res.statusCode(), null);
            }
            return ProtocolJson.read(res.body(), UploadStatus.class);
        } catch (IOException e) {
            throw new NetworkDrop("declare failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkDrop("interrupted", e);
        }
    }

    // --- push ---

    private void push(int step, boolean chaotic) {
        while (true) {
            List<CapturedEvent> batch = new ArrayList<>(outbox.pending(chaos.batch()));
            if (batch.isEmpty()) {
                return;
            }
            Set<String> resent = new HashSet<>();
            if (chaotic && rng.nextDouble() < chaos.duplicateProbability()) {
                for (CapturedEvent e : outbox.done(1 + rng.nextInt(3))) {
                    batch.add(e);
                    resent.add(e.idempotencyKey());
                }
            }
            if (chaotic && chaos.reorder()) {
                Collections.shuffle(batch, rng);
            }
            slow();
            PushResponse r = client.push(new PushRequest(now(), batch)); // sentAt rebuilt on every try
            ledger.pushes.incrementAndGet();
            ledger.eventsPushed.addAndGet(batch.size());
            ledger.duplicatesSent.addAndGet(resent.size());
            if (chaotic && rng.nextDouble() < chaos.crashProbability() / 2) {
                throw new Crash("killed before recording the push answer");
            }
            for (EventResult res : r.results()) {
                String key = res.idempotencyKey();
                if (resent.contains(key)) {
                    if (res.verdict() != Verdict.DUPLICATE) {
                        ledger.problem("resent " + key + " got " + res.verdict() + " instead of duplicate");
                    }
                    continue;
                }
                Verdict v = res.effectiveVerdict();
                if (v == Verdict.CONFLICT || res.verdict() == Verdict.CONFLICT) {
                    ledger.problem("conflict for " + key + ": " + res.reason());
                }
                outbox.markDone(key, v.wire());
                ledger.verdict(key, v, step);
            }
        }
    }

    // --- pull ---

    private void pull(int step) {
        String cursor = outbox.cursor();
        while (true) {
            slow();
            PullResponse p;
            try {
                p = client.pull(cursor, 200);
                ledger.pulls.incrementAndGet();
            } catch (PodsyncClientException e) {
                if (e.status() != 410) {
                    throw e;
                }
                // protocol 11: drop the cursor and start from scratch; the outbox is not touched
                ledger.resyncs.incrementAndGet();
                cursor = null;
                outbox.saveCursor(null);
                continue;
            }
            Map<String, String> verdicts = new LinkedHashMap<>();
            for (Change c : p.changes()) {
                if (Change.VERDICT.equals(c.kind())
                        && c.data() != null
                        && c.data().hasNonNull("verdict")) {
                    String v = c.data().get("verdict").asText();
                    verdicts.put(c.id(), v);
                    try {
                        ledger.verdict(c.id(), Verdict.fromWire(v), step);
                    } catch (IllegalArgumentException unknown) {
                        // a verdict from a later minor version: treated like awaiting_evidence (protocol 6.4)
                    }
                }
            }
            outbox.applyPage(verdicts, p.cursor());
            cursor = p.cursor();
            if (!p.hasMore()) {
                return;
            }
        }
    }

    @Override
    public void close() {
        outbox.close();
    }
}
