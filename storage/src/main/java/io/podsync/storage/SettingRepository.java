package io.podsync.storage;

import java.util.Optional;

/** Named server-wide values shared by every replica. */
public interface SettingRepository {
    Optional<String> get(String name);

    /** Stores the value unless the name exists; returns the value that is stored afterwards. */
    String putIfAbsent(String name, String value);

    /** Replaces the value if it is still {@code expected}; false when another replica changed it first. */
    boolean replace(String name, String expected, String value);
}
