package io.podsync.storage;

/**
 * A change-feed entry for one audience ({@code driver:<id>} or {@code device:<id>}). {@code seq} is assigned by the
 * repository on write.
 */
public record ChangeRow(
        String audience, String kind, String entityId, long seq, boolean deleted, String dataJson, long changedAt) {
    public static ChangeRow of(
            String audience, String kind, String entityId, boolean deleted, String dataJson, long at) {
        return new ChangeRow(audience, kind, entityId, 0, deleted, dataJson, at);
    }
}
