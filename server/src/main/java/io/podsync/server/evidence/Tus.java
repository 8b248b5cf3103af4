package io.podsync.server.evidence;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.UploadStatus;
import io.podsync.server.http.ProblemException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The headers of the tus 1.0.0 protocol (core, creation, creation-with-upload, expiration, checksum, termination), so
 * that stock tus clients (tus-js-client, tus-java-client, tus-android-client, TUSKit) can upload evidence. A request
 * that carries {@code Tus-Resumable} is a tus client's, and gets tus's answers (201 with {@code Location}, 204 for a
 * chunk, no JSON); one without it gets the JSON answers of the reference client.
 */
final class Tus {
    static final String VERSION = "1.0.0";
    static final String EXTENSIONS = "creation,creation-with-upload,expiration,checksum,termination";
    static final String CHECKSUM_ALGORITHMS = "sha256";
    static final HeaderName RESUMABLE = HeaderNames.create("Tus-Resumable");
    static final HeaderName UPLOAD_OFFSET = HeaderNames.create("Upload-Offset");
    static final HeaderName UPLOAD_LENGTH = HeaderNames.create("Upload-Length");
    static final HeaderName UPLOAD_METADATA = HeaderNames.create("Upload-Metadata");
    static final HeaderName UPLOAD_CHECKSUM = HeaderNames.create("Upload-Checksum");
    private static final HeaderName UPLOAD_EXPIRES = HeaderNames.create("Upload-Expires");

    /** RFC 9110's IMF-fixdate, the format tus asks for in {@code Upload-Expires}. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private Tus() {}

    /**
     * True when the request comes from a tus client. A version other than 1.0.0 is refused with 412 and the versions
     * this server speaks, as tus requires.
     */
    static boolean requested(ServerRequest req) {
        String version = req.headers().first(RESUMABLE).orElse(null);
        if (version == null) {
            return false;
        }
        if (!version.trim().equals(VERSION)) {
            throw new ProblemException(
                            412,
                            "tus_version_unsupported",
                            "Precondition failed",
                            "this server speaks tus " + VERSION,
                            "Tus-Resumable",
                            null)
                    .withHeader("Tus-Version", VERSION)
                    .withHeader(RESUMABLE.defaultCase(), VERSION);
        }
        return true;
    }

    /** The answer to {@code OPTIONS}: what this server supports. */
    static void discovery(ServerResponse res, long maxSize) {
        res.header(RESUMABLE, VERSION);
        res.header("Tus-Version", VERSION);
        res.header("Tus-Extension", EXTENSIONS);
        res.header("Tus-Max-Size", String.valueOf(maxSize));
        res.header("Tus-Checksum-Algorithm", CHECKSUM_ALGORITHMS);
    }

    /** Where the upload stands, in tus headers; an open upload also says when it expires. */
    static void uploadHeaders(ServerResponse res, UploadStatus s) {
        res.header(RESUMABLE, VERSION);
        res.header(UPLOAD_OFFSET, String.valueOf(s.offset()));
        res.header(UPLOAD_LENGTH, String.valueOf(s.size()));
        if (s.expiresAt() != null) {
            res.header(UPLOAD_EXPIRES, HTTP_DATE.format(s.expiresAt()));
        }
    }

    /** The upload's URL, as the {@code Location} of a creation. */
    static String location(String uploadId) {
        return "/v1/uploads/" + uploadId;
    }
}
