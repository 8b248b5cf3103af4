package io.podsync.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.json.ProtocolJson;
import io.podsync.simulator.erp.WebhookVerifier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ErpReceiverCommandTest {
    static final String OLD = "whsec_b2xkLXNlY3JldC1iZWluZy1yZXRpcmVk";
    static final String NEW = "whsec_bmV3LXNlY3JldC1iZWluZy1pbnRyb2R1Y2Vk";

    @Test
    void printsItsUrlThenEachDeliveryAndFailsTheFirstAsAsked() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AtomicInteger exit = new AtomicInteger(-1);
        Thread command = Thread.ofVirtual()
                .start(() -> exit.set(SimulatorMain.run(
                        new String[] {
                            "erp-receiver",
                            "--port",
                            "0",
                            "--secret",
                            OLD,
                            "--secret",
                            NEW,
                            "--fail-first",
                            "1",
                            "--fail-status",
                            "429"
                        },
                        out,
                        out)));
        try {
            URI url = awaitUrl(bytes);
            byte[] body = ProtocolJson.toBytes(Map.of(
                    "specversion", "1.0",
                    "id", "evt-1",
                    "source", "/podsync",
                    "type", "io.podsync.pod.delivered.v1",
                    "subject", "stops/S1"));
            long now = Instant.now().getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(url)
                    .header("Content-Type", "application/cloudevents+json")
                    .header("webhook-id", "msg_cli")
                    .header("webhook-timestamp", Long.toString(now))
                    // signed with the first of two --secret options: a last-one-wins parse would have dropped it
                    .header("webhook-signature", WebhookVerifier.sign(OLD, "msg_cli", now, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            try (HttpClient http = HttpClient.newHttpClient()) {
                assertEquals(
                        429,
                        http.send(request, HttpResponse.BodyHandlers.discarding())
                                .statusCode());
                assertEquals(
                        200,
                        http.send(request, HttpResponse.BodyHandlers.discarding())
                                .statusCode());
            }
        } finally {
            command.interrupt();
            command.join(2000);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit.get(), printed);
        assertTrue(printed.contains("failed msg_cli with 429"), printed);
        assertTrue(
                Pattern.compile("(?m)^\\S+Z io\\.podsync\\.pod\\.delivered\\.v1 stops/S1 msg_cli$")
                        .matcher(printed)
                        .find(),
                printed);
    }

    @Test
    void refusesAMissingSecretOrABadOneAsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);

        assertEquals(2, SimulatorMain.run(new String[] {"erp-receiver", "--port", "0"}, stream, stream));
        assertEquals(
                2,
                SimulatorMain.run(new String[] {"erp-receiver", "--port", "0", "--secret", "hunter2"}, stream, stream));
        assertTrue(!err.toString(StandardCharsets.UTF_8).contains("hunter2"), "the secret is not echoed");
        assertTrue(SimulatorMain.HELP.contains("erp-receiver:"));
    }

    private static URI awaitUrl(ByteArrayOutputStream bytes) throws InterruptedException {
        Pattern listening = Pattern.compile("listening on (\\S+)");
        for (int i = 0; i < 200; i++) {
            Matcher m = listening.matcher(bytes.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return URI.create(m.group(1));
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the receiver never printed its URL: " + bytes.toString(StandardCharsets.UTF_8));
    }
}
