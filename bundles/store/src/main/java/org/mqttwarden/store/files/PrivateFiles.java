package org.mqttwarden.store.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folders and files only the gateway's OS user may enter or read ({@code rwx------}, {@code rw-------}),
 * for what holds password hashes, keys or personal data. Where the file system has no POSIX permissions
 * (Windows) files and folders are created with its defaults and nothing is changed.
 */
public final class PrivateFiles {

    private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {
    }

    /** @return true where files have POSIX permissions */
    public static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Creates {@code dir} and its missing parents; the folder itself {@code rwx------}. An existing
     * folder is left as it is (it may be shared on purpose, e.g. {@code etc/}).
     *
     * @throws IOException when it cannot be created
     */
    public static void createDirectory(Path dir) throws IOException {
        if (dir == null || Files.exists(dir)) {
            return;
        }
        Files.createDirectories(dir);
        if (posix()) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * Creates {@code file} empty and {@code rw-------} (its folder as {@link #createDirectory}) when absent.
     *
     * @return true when this call created it; false when it existed (its permissions are left as they are:
     *     see {@link #restrict})
     * @throws IOException when it cannot be created
     */
    public static boolean createFile(Path file) throws IOException {
        createDirectory(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            return false;
        }
        try {
            createNew(file);
            return true;
        } catch (FileAlreadyExistsException raced) {
            return false; // another process created it a moment ago
        }
    }

    /**
     * Creates {@code file} empty and {@code rw-------}, in a folder that exists.
     *
     * @throws FileAlreadyExistsException when it exists: nothing is changed
     * @throws IOException when it cannot be created
     */
    public static void createNew(Path file) throws IOException {
        if (posix()) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
    }

    /**
     * Creates {@code file} {@code rw-------} from the first moment (its folder as {@link #createDirectory}) with
     * {@code content}, forced to disk: for a secret written once, whose first writer wins when two race.
     *
     * @return true when this call created and wrote it; false when it existed already (nothing is written)
     * @throws IOException when it cannot be created or written
     */
    public static boolean createWith(Path file, byte[] content) throws IOException {
        createDirectory(file.toAbsolutePath().getParent());
        try {
            createNew(file);
        } catch (FileAlreadyExistsException raced) {
            return false;
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        return true;
    }

    /**
     * @return the mode of {@code file} (e.g. {@code rw-r--r--}) when its group or others have any permission on
     *     it; empty when only its owner has, or the file system has no POSIX permissions
     * @throws IOException when its permissions cannot be read
     */
    public static Optional<String> openMode(Path file) throws IOException {
        if (!posix()) {
            return Optional.empty();
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(file);
        return now.stream().anyMatch(OTHERS::contains) ? Optional.of(PosixFilePermissions.toString(now))
                : Optional.empty();
    }

    /**
     * Takes group and other permissions away from {@code file}, with a WARN saying what it was and why it
     * must not be (the owner's own permissions are kept).
     *
     * @param holds what the file holds, for the WARN (e.g. {@code password hashes})
     * @return true when the permissions were changed; false when they were private already, or the file
     *     system has no POSIX permissions
     * @throws IOException when they cannot be read or changed
     */
    public static boolean restrict(Path file, String holds) throws IOException {
        if (!posix()) {
            return false;
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(file);
        if (now.stream().noneMatch(OTHERS::contains)) {
            return false;
        }
        Set<PosixFilePermission> own = EnumSet.noneOf(PosixFilePermission.class);
        own.addAll(now);
        own.removeAll(OTHERS);
        Files.setPosixFilePermissions(file, own);
        LOG.warn("{} was {}: now {} (it holds {})", file, PosixFilePermissions.toString(now),
                PosixFilePermissions.toString(own), holds);
        return true;
    }

    /**
     * Writes {@code text} (UTF-8) to a new {@code rw-------} file: whole, beside it first, then moved into
     * place, so a crash never leaves a partial file; the folder is created as {@link #createDirectory}.
     *
     * @return true when moved into place; false when the file system refused to replace a {@code file} that
     *     appeared meanwhile (Linux replaces it: the last writer wins)
     * @throws IOException when it cannot be written
     */
    public static boolean writeNew(Path file, String text) throws IOException {
        createDirectory(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        createNew(tmp);
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
            return false;
        }
    }
}
