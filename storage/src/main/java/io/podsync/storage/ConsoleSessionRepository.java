package io.podsync.storage;

import java.util.Optional;

/** Sessions of the operations console. */
public interface ConsoleSessionRepository {
    void insert(ConsoleSessionRow session);

    Optional<ConsoleSessionRow> find(String sessionHash);

    /** Records activity; the idle expiry counts from the last one. */
    void touch(String sessionHash, long at);

    void delete(String sessionHash);

    /** Deletes sessions idle since before {@code idleBefore} or created before {@code createdBefore}. */
    int deleteExpired(long idleBefore, long createdBefore);
}
