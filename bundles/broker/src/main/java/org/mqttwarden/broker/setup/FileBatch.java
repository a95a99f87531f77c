package org.mqttwarden.broker.setup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.mqttwarden.store.files.PrivateFiles;

/**
 * Files written together or not at all: each is written whole beside its target first ({@code .<name>.<random>.new}, a
 * secret one {@code rw-------} from its creation through warden-store's {@link PrivateFiles}, others
 * {@code rw-r--r--}), forced to disk, and only when every one is written are they renamed into place. A failure
 * while writing leaves every target as it was; what remains is a rename per file, which replaces a target in one
 * step. New folders are made {@code rwx------}.
 */
final class FileBatch {

    private record Entry(Path path, byte[] content, boolean secret) {
    }

    private final List<Entry> entries = new ArrayList<>();
    /** Makes this batch's staging names its own, so that two runs at once never write into each other's files. */
    private final String stamp = Long.toHexString(new java.security.SecureRandom().nextLong() >>> 1);

    FileBatch add(Path path, String text, boolean secret) {
        return add(path, text.getBytes(StandardCharsets.UTF_8), secret);
    }

    FileBatch add(Path path, byte[] content, boolean secret) {
        entries.add(new Entry(path.toAbsolutePath().normalize(), content, secret));
        return this;
    }

    /** @return the targets that exist now (any kind of file, links not followed) */
    List<Path> existing() {
        return entries.stream().map(Entry::path).filter(p -> Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .toList();
    }

    /**
     * Writes every file, then moves them into place.
     *
     * @param replace whether existing targets are replaced; when false and one appeared since {@link #existing()}
     *     was asked, nothing is moved
     * @return the files written, in the order added
     * @throws IOException when a file cannot be written: no target has been changed
     * @throws SetupException when a target appeared meanwhile and {@code replace} is false
     */
    List<Path> commit(boolean replace) throws IOException, SetupException {
        List<Path> staged = new ArrayList<>();
        try {
            for (Entry e : entries) {
                PrivateFiles.createDirectory(e.path().getParent());
                Path tmp = staging(e.path());
                Files.deleteIfExists(tmp);
                if (e.secret()) {
                    PrivateFiles.createNew(tmp);
                } else if (PrivateFiles.posix()) {
                    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-r--r--")));
                } else {
                    Files.createFile(tmp);
                }
                staged.add(tmp);
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(e.content());
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    out.force(true);
                }
            }
            if (!replace && !existing().isEmpty()) {
                throw new SetupException(existing().get(0) + " appeared while the files were written; nothing was"
                        + " changed.");
            }
        } catch (IOException | SetupException | RuntimeException e) {
            for (Path tmp : staged) {
                Files.deleteIfExists(tmp);
            }
            throw e;
        }
        List<Path> written = new ArrayList<>();
        for (Entry e : entries) {
            Files.move(staging(e.path()), e.path(), StandardCopyOption.ATOMIC_MOVE);
            written.add(e.path());
        }
        return written;
    }

    private Path staging(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + stamp + ".new");
    }
}
