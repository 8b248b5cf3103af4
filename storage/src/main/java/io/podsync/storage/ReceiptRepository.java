package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Stored verdicts, by device and idempotency key. */
public interface ReceiptRepository {
    Map<String, ReceiptRow> find(String deviceId, Collection<String> keys);

    /** Of these sequence numbers, the ones already taken on this device, with the key that took each. */
    Map<Long, String> seqsTaken(String deviceId, Collection<Long> seqs);

    void insertAll(List<ReceiptRow> receipts);

    /** Deletes up to {@code limit} receipts that expired before {@code now}; returns how many. */
    int purgeExpired(long now, int limit);
}
