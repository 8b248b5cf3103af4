package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Artifacts, uploads and the links from events to the artifacts they reference. */
public interface EvidenceRepository {
    /** Of these hashes, the ones stored. */
    Set<String> storedOf(Collection<String> sha256s);

    Optional<ArtifactRow> findArtifact(String sha256);

    /** Records a stored artifact; false when it was recorded already. */
    boolean insertArtifact(ArtifactRow artifact);

    /** Links events to artifacts; links that exist are kept. */
    void link(List<EvidenceLinkRow> links);

    /** For these events of a device: the referenced hashes not stored yet, sorted, for the events missing any. */
    Map<String, List<String>> missingFor(String deviceId, Collection<String> keys);

    /** The events awaiting evidence that reference this artifact. */
    List<EvidenceLinkRow> awaiting(String sha256);

    /** True when the driver uploaded the artifact or one of the driver's events references it. */
    boolean mayRead(String driverId, String sha256);

    void insertUpload(UploadRow upload);

    Optional<UploadRow> findUpload(String uploadId);

    /** The device's open upload of this hash, if any. */
    Optional<UploadRow> openUploadOf(String deviceId, String sha256);

    /** The device's finished upload of an artifact (completed or known), if any. */
    Optional<UploadRow> doneUploadOf(String deviceId, String sha256);

    int countOpenUploads(String deviceId);

    /** Moves the offset from {@code from} to {@code to} if it is still at {@code from}; false when it was not. */
    boolean advanceUpload(String uploadId, long from, long to, long now);

    void setUploadStatus(String uploadId, String status, long now);

    void addSegment(UploadSegmentRow segment);

    List<UploadSegmentRow> segments(String uploadId);

    /** Uploads not completed whose time ran out. */
    List<UploadRow> expiredUploads(long now, int limit);

    /** Deletes an upload and its segment rows. */
    void deleteUpload(String uploadId);
}
