package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.generated.ApiClient;
import io.podsync.generated.api.AuthApi;
import io.podsync.generated.api.EvidenceApi;
import io.podsync.generated.api.RoutesApi;
import io.podsync.generated.api.SyncApi;
import io.podsync.generated.model.CapturedEvent;
import io.podsync.generated.model.Change;
import io.podsync.generated.model.DeviceCredentials;
import io.podsync.generated.model.DeviceEnrollRequest;
import io.podsync.generated.model.EnrollmentRequest;
import io.podsync.generated.model.EventPayload;
import io.podsync.generated.model.EventResult;
import io.podsync.generated.model.EvidenceRef;
import io.podsync.generated.model.GeoFix;
import io.podsync.generated.model.PullResponse;
import io.podsync.generated.model.PushRequest;
import io.podsync.generated.model.TokenRequest;
import io.podsync.generated.model.UploadRequest;
import io.podsync.generated.model.UploadStatus;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java client that openapi-generator (okhttp-gson) wrote from the OpenAPI document, unmodified, drives a device
 * through enrollment, pull, push and an evidence upload against the real server. The generated models refuse fields
 * the document does not describe, so this also checks that the answers match the document.
 */
class GeneratedClientTest {
    @TempDir
    Path dir;

    private static ApiClient client(TestServer server, String token) {
        ApiClient c = new ApiClient();
        c.setBasePath(server.uri().toString());
        if (token != null) {
            c.setBearerToken(token);
        }
        return c;
    }

    @Test
    void enrolPullPushAndUploadWithTheGeneratedClient() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("server"))) {
            server.erp().releaseRoute("RG", Fixtures.route("RG", "DG", 2));
            String erpToken = new AuthApi(client(server, null))
                    .issueToken(
                            new TokenRequest()
                                    .grantType(TokenRequest.GrantTypeEnum.CLIENT_CREDENTIALS)
                                    .clientId("erp")
                                    .clientSecret(TestServer.ERP_SECRET),
                            null,
                            null)
                    .getTokenResponse()
                    .getAccessToken();
            String code = new AuthApi(client(server, erpToken))
                    .createEnrollment(new EnrollmentRequest().driverId("DG"), null, null)
                    .getCode();

            DeviceCredentials device = new AuthApi(client(server, null))
                    .enrollDevice(
                            new DeviceEnrollRequest()
                                    .enrollmentCode(code)
                                    .deviceName("generated")
                                    .platform("java")
                                    .appVersion("1"),
                            null,
                            null);
            ApiClient phone = client(server, device.getToken().getAccessToken());

            PullResponse first = new SyncApi(phone).pull(null, 100, null, null);
            assertTrue(
                    first.getChanges().stream()
                            .anyMatch(c -> c.getKind() == Change.KindEnum.STOP
                                    && c.getId().equals("RG-S1")),
                    "the route's stops arrive in the first pull");

            byte[] photo = EvidenceTest.jpeg(120_000, 51);
            String sha = EvidenceTest.sha(photo);
            EventResult result = new SyncApi(phone)
                    .push(
                            new PushRequest()
                                    .sentAt(OffsetDateTime.now())
                                    .addEventsItem(new CapturedEvent()
                                            .idempotencyKey(UUID.randomUUID().toString())
                                            .seq(1L)
                                            .type(CapturedEvent.TypeEnum.DELIVERED)
                                            .stopId("RG-S1")
                                            .attempt(1)
                                            .capturedAt(OffsetDateTime.now().minusSeconds(10))
                                            .payload(new EventPayload()
                                                    .location(new GeoFix()
                                                            .lat(BigDecimal.valueOf(Fixtures.BASE_LAT + 0.01))
                                                            .lon(BigDecimal.valueOf(Fixtures.BASE_LON))
                                                            .accuracyMeters(BigDecimal.valueOf(5)))
                                                    .addEvidenceItem(new EvidenceRef()
                                                            .sha256(sha)
                                                            .kind(EvidenceRef.KindEnum.PHOTO)
                                                            .mediaType("image/jpeg")))),
                            null,
                            null)
                    .getResults()
                    .get(0);
            assertEquals(EventResult.VerdictEnum.AWAITING_EVIDENCE, result.getVerdict());

            Path file = dir.resolve("photo.jpg");
            Files.write(file, photo);
            EvidenceApi evidence = new EvidenceApi(phone);
            UploadStatus open = evidence.declareUpload(
                    null,
                    null,
                    null,
                    null,
                    null,
                    new UploadRequest()
                            .sha256(sha)
                            .size((long) photo.length)
                            .mediaType("image/jpeg")
                            .kind(UploadRequest.KindEnum.PHOTO));
            assertEquals(UploadStatus.StatusEnum.OPEN, open.getStatus());
            UploadStatus stored = evidence.sendChunk(0L, open.getUploadId(), file.toFile(), null, null, null, null);
            assertEquals(UploadStatus.StatusEnum.STORED, stored.getStatus());

            List<Change> after =
                    new SyncApi(phone).pull(first.getCursor(), 100, null, null).getChanges();
            assertTrue(
                    after.stream()
                            .anyMatch(c -> c.getKind() == Change.KindEnum.STOP_STATE
                                    && c.getId().equals("RG-S1")),
                    "the upload released the delivery: " + after);
            assertEquals("delivered", server.stopState("RG", "RG-S1").status());
            assertEquals(
                    "RG",
                    new RoutesApi(phone).getRoute("RG", null, null).getRoute().getRouteId());
        }
    }
}
