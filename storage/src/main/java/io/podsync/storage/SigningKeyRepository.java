package io.podsync.storage;

import java.util.List;

/** Token signing keys. */
public interface SigningKeyRepository {
    List<SigningKeyRow> all();

    void insert(SigningKeyRow key);

    void retire(String kid, long at);

    /**
     * Replaces a key's stored form (sealed again with another key-encryption key) if it is still {@code expected};
     * false when another replica changed it first.
     */
    boolean replaceJwk(String kid, String expected, String replacement);
}
