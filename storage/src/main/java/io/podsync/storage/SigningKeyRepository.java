package io.podsync.storage;

import java.util.List;

/** Token signing keys. */
public interface SigningKeyRepository {
    List<SigningKeyRow> all();

    void insert(SigningKeyRow key);

    void retire(String kid, long at);
}
