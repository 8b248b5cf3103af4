package io.podsync.server.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.UploadRequest;
import io.podsync.server.http.ProblemException;
import io.podsync.storage.UploadRow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The deciding steps of an upload on their own: no server, no database, no store. */
class UploadStepsTest {
    private static final String SHA = "a".repeat(64);
    private static final UploadProcessor.Settings SETTINGS =
            new UploadProcessor.Settings(1000, Set.of("image/jpeg"), 4, 100, Duration.ofHours(1));

    private static ProblemException refused(UploadRequest r) {
        return assertThrows(ProblemException.class, () -> UploadChecks.declaration(r, SETTINGS));
    }

    @Test
    void aDeclarationIsCheckedFieldByField() {
        assertEquals(
                "image/jpeg",
                UploadChecks.declaration(new UploadRequest(SHA, 10L, "Image/JPEG", EvidenceKind.PHOTO), SETTINGS));
        ProblemException hash = refused(new UploadRequest("A".repeat(64), 10L, "image/jpeg", EvidenceKind.PHOTO));
        assertEquals("sha256", hash.field());
        assertEquals(400, hash.status());
        assertEquals(
                "size",
                refused(new UploadRequest(SHA, 0L, "image/jpeg", EvidenceKind.PHOTO))
                        .field());
        ProblemException big = refused(new UploadRequest(SHA, 1001L, "image/jpeg", EvidenceKind.PHOTO));
        assertEquals("artifact_too_large", big.code());
        assertEquals(413, big.status());
        assertEquals(
                "kind", refused(new UploadRequest(SHA, 10L, "image/jpeg", null)).field());
        ProblemException type = refused(new UploadRequest(SHA, 10L, "image/gif", EvidenceKind.PHOTO));
        assertEquals(415, type.status());
        assertEquals("media_type_not_allowed", type.code());
    }

    private static UploadRow upload(long offset, long size) {
        return new UploadRow("up-1", "dev", "D1", SHA, size, "image/jpeg", "photo", offset, "open", 0, 0, 0);
    }

    @Test
    void aChunkMustStartWhereTheUploadStandsAndFitItsLimits() {
        UploadChecks.offset(upload(40, 100), 40L);
        assertEquals(
                "Upload-Offset",
                assertThrows(ProblemException.class, () -> UploadChecks.offset(upload(40, 100), null))
                        .field());
        ProblemException behind = assertThrows(ProblemException.class, () -> UploadChecks.offset(upload(40, 100), 30L));
        assertEquals(409, behind.status());
        assertEquals("40", behind.headers().get("Upload-Offset"));

        UploadChecks.length(upload(40, 100), 40, 60, 60);
        assertEquals(
                "chunk_too_large",
                assertThrows(ProblemException.class, () -> UploadChecks.length(upload(40, 100), 40, 61, 60))
                        .code());
        assertEquals(
                "chunk_beyond_size",
                assertThrows(ProblemException.class, () -> UploadChecks.length(upload(40, 100), 40, 61, 100))
                        .code());
    }

    @Test
    void anUploadChecksumNamesTheSha256InBase64() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("x".getBytes(StandardCharsets.UTF_8));
        String hex = HexFormat.of().formatHex(digest);
        String b64 = Base64.getEncoder().encodeToString(digest);
        assertTrue(UploadChecks.checksumMatches("sha256 " + b64, hex));
        assertTrue(UploadChecks.checksumMatches("  SHA256   " + b64 + " ", hex));
        assertFalse(UploadChecks.checksumMatches("sha256 " + b64, SHA));
        assertEquals(
                "unsupported_checksum",
                assertThrows(ProblemException.class, () -> UploadChecks.checksumMatches("md5 " + b64, hex))
                        .code());
        assertEquals(
                "unsupported_checksum",
                assertThrows(ProblemException.class, () -> UploadChecks.checksumMatches("sha256 !!", hex))
                        .code());
        assertEquals(460, UploadChecks.checksumMismatch().status());
    }

    @Test
    void uploadStatesHaveTheStoredNamesAndTwoAreDone() {
        for (UploadState s : UploadState.values()) {
            assertEquals(s, UploadState.fromWire(s.wire()));
        }
        assertEquals("known", UploadState.KNOWN.wire());
        assertTrue(UploadState.COMPLETED.isDone());
        assertTrue(UploadState.KNOWN.isDone());
        assertFalse(UploadState.OPEN.isDone());
        assertFalse(UploadState.FAILED.isDone());
        assertThrows(IllegalArgumentException.class, () -> UploadState.fromWire("OPEN"));
    }

    @Test
    void stagingKeysStayUnderTheirUpload() {
        assertEquals("uploads/up-1/assembled", UploadAssembly.assembledKey("up-1"));
        assertEquals("uploads/up-1/40-abc", UploadAssembly.chunkKey("up-1", 40, "abc"));
    }
}
