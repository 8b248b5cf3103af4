package io.podsync.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Owner-only files, whatever the process umask: directories {@code 0700}, files {@code 0600}. The database holds
 * device and client secret hashes and the (encrypted) signing keys, and the artifacts are customers' signatures and
 * photos: nobody but the server's own user reads them.
 *
 * <p>Files and directories the server creates get these modes explicitly after creation (a umask of {@code 000} would
 * otherwise leave them world-writable). One that exists with a wider mode is tightened, with a log line; one the server
 * may not change (another user's, a shared directory such as {@code /tmp} with its sticky bit, a file system root) is
 * refused with an {@link IllegalStateException} naming it, which stops the start. On a file system without POSIX
 * modes nothing is checked.
 */
public final class FileModes {
    private static final System.Logger LOG = System.getLogger(FileModes.class.getName());
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private FileModes() {}

    /**
     * The directory, created owner-only with any missing parents (parents that exist are left as they are), or
     * tightened to owner-only if it exists with a wider mode.
     *
     * @param what how the operator names it in the log and the error, e.g. {@code podsync.data-dir}
     */
    public static Path privateDirectory(Path dir, String what) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            if (Files.isDirectory(abs)) {
                tighten(abs, DIRECTORY, what);
                return abs;
            }
            Path parent = abs.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                privateDirectory(parent, what);
            }
            try {
                Files.createDirectory(abs);
            } catch (FileAlreadyExistsException e) {
                // created by another thread or process meanwhile: check it below like any existing one
            }
            if (isPosix(abs)) {
                Files.setPosixFilePermissions(abs, DIRECTORY);
            }
            return abs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory " + abs + " (" + what + ")", e);
        }
    }

    /** The file, if it exists, tightened to owner-only ({@code 0600}). */
    public static void privateFile(Path file, String what) {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            try {
                tighten(abs, FILE, what);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot check the mode of " + abs + " (" + what + ")", e);
            }
        }
    }

    /** Creates the file empty and owner-only if it does not exist, else tightens it like {@link #privateFile}. */
    public static void touchPrivateFile(Path file, String what) {
        try {
            Path created = Files.createFile(file);
            if (isPosix(created)) {
                Files.setPosixFilePermissions(created, FILE);
            }
        } catch (FileAlreadyExistsException e) {
            privateFile(file, what);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file + " (" + what + ")", e);
        }
    }

    /** Creates the file owner-only ({@code 0600}) with these bytes; fails if it exists. */
    public static void writeNewPrivateFile(Path file, byte[] content) {
        try {
            Path created = Files.createFile(file);
            if (isPosix(created)) {
                Files.setPosixFilePermissions(created, FILE);
            }
            Files.write(created, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Sets owner-only on a file the caller just created (a temporary file, a copy). */
    public static void restrict(Path file) throws IOException {
        if (isPosix(file)) {
            Files.setPosixFilePermissions(file, Files.isDirectory(file) ? DIRECTORY : FILE);
        }
    }

    private static void tighten(Path path, Set<PosixFilePermission> wanted, String what) throws IOException {
        PosixFileAttributeView view =
                Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        PosixFileAttributes attrs = view.readAttributes();
        Set<PosixFilePermission> mode = attrs.permissions();
        if (mode.stream().noneMatch(OTHERS::contains)) {
            return;
        }
        String was = PosixFilePermissions.toString(mode);
        String me = System.getProperty("user.name");
        boolean shared = attrs.isDirectory() && (path.getParent() == null || isSticky(path));
        if (shared || !attrs.owner().getName().equals(me)) {
            throw new IllegalStateException(what + ": " + path + " is readable by others (" + was + ", owner "
                    + attrs.owner().getName() + ") and podsync may not tighten it; give podsync a directory of its "
                    + "own, owned by " + me);
        }
        view.setPermissions(wanted);
        LOG.log(
                Level.WARNING,
                what + ": " + path + " was " + was + ", readable by others; tightened to "
                        + PosixFilePermissions.toString(wanted));
    }

    private static boolean isSticky(Path dir) throws IOException {
        Object mode = Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer m && (m & 01000) != 0;
    }

    private static boolean isPosix(Path path) {
        return Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
    }
}
