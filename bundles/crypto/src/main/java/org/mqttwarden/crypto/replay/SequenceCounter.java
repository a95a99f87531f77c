package org.mqttwarden.crypto.replay;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sender's sequence numbers, persisted so that a restarted sender is not taken for a replayer: receivers refuse
 * a number they have seen or one far below the newest ({@link ReplayGuard}), so a sender must never go back.
 *
 * <p>Numbers are reserved in blocks: before handing out the first number of a block, the end of the block is
 * written to the state file (a temporary file, forced to disk, then moved over the old one atomically, so the
 * file is always either the old or the new state). After a crash the counter resumes at the end of the last block
 * it reserved: it skips at most one block, never reuses a number, and writes once per block rather than once per
 * message. {@link #close()} writes the exact next number, so a clean restart skips nothing.
 *
 * <p>The state file is one line, {@code mqttwarden-sequence v1 next=<decimal>}, created readable and writable by
 * its owner only (POSIX) from the first byte. A state file that exists but cannot be read or parsed is an error
 * ({@link SequenceStateException}), never a reason to start over. A missing file means a new sender: its first
 * number is derived from the clock ({@code millis << 20}), so a sender whose state file was lost (a replaced SD
 * card, a re-provisioned device keeping its id) still starts above anything it sent before, unless it sent more
 * than a million messages a millisecond or its clock went back.
 *
 * <p>One counter per state file: two counters (or processes) on the same file would hand out the same numbers.
 * Thread-safe.
 */
public final class SequenceCounter implements Closeable {

    /** Numbers reserved per write unless told otherwise; below the default replay window, so a crash's gap stays inside it. */
    public static final int DEFAULT_BLOCK = 1000;

    private static final Pattern LINE = Pattern.compile("mqttwarden-sequence v1 next=(0|[1-9][0-9]{0,18})\n?");
    private static final int MAX_FILE_BYTES = 128;
    private static final int CLOCK_SHIFT = 20;

    private final Path file;
    private final int block;
    private long next;
    private long reservedUntil;
    private boolean closed;

    private SequenceCounter(Path file, int block, long next) {
        this.file = file;
        this.block = block;
        this.next = next;
        this.reservedUntil = next;
    }

    /** {@link #open(Path, int, Clock)} with blocks of {@value #DEFAULT_BLOCK} and the system clock. */
    public static SequenceCounter open(Path file) throws IOException {
        return open(file, DEFAULT_BLOCK, Clock.systemUTC());
    }

    /**
     * Opens a sender's counter, resuming where the state file says, or creating the file for a new sender.
     *
     * @param file  the state file; its folder must exist
     * @param block how many numbers to reserve per write (1 to 1 000 000)
     * @param clock where a new sender's first number comes from
     * @throws SequenceStateException if the file exists but is unreadable or not a sequence state
     * @throws IOException            if the state cannot be written
     */
    public static SequenceCounter open(Path file, int block, Clock clock) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(clock, "clock");
        if (block < 1 || block > 1_000_000) {
            throw new IllegalArgumentException("The sequence block size must be from 1 to 1000000, not " + block + ".");
        }
        Path absolute = file.toAbsolutePath();
        long start;
        String text;
        try {
            text = read(absolute);
        } catch (NoSuchFileException e) {
            text = null;
        }
        if (text == null) {
            start = Math.max(1L, clock.millis()) << CLOCK_SHIFT;
            if (start <= 0) {
                throw new IllegalStateException("The clock is too far in the future to number a new sender: "
                        + clock.instant() + ".");
            }
        } else {
            start = parse(absolute, text);
        }
        SequenceCounter counter = new SequenceCounter(absolute, block, start);
        counter.write(start); // proves now, not at the first message, that the state can be kept
        return counter;
    }

    /**
     * The next sequence number, never handed out before by this counter or any earlier one on the same file.
     *
     * @throws IOException           if the next block cannot be reserved (nothing is handed out then)
     * @throws IllegalStateException if the counter is closed, or all 2<sup>63</sup> numbers are used up
     */
    public synchronized long next() throws IOException {
        if (closed) {
            throw new IllegalStateException("The sequence counter for " + file + " is closed.");
        }
        if (next == Long.MAX_VALUE) {
            throw new IllegalStateException("The sequence numbers of " + file + " are used up.");
        }
        if (next == reservedUntil) {
            long end = next > Long.MAX_VALUE - block ? Long.MAX_VALUE : next + block;
            write(end);
            reservedUntil = end;
        }
        return next++;
    }

    /** The state file. */
    public Path file() {
        return file;
    }

    /**
     * Writes the exact next number, so the next counter on this file continues without a gap, and refuses further
     * numbers. Closing twice does nothing.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        write(next);
    }

    /** Reads the state file, refusing one too large to be ours before reading it whole. */
    private static String read(Path file) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new SequenceStateException("The sequence state file " + file + " cannot be read: it is not a file.");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() > MAX_FILE_BYTES) {
                throw new SequenceStateException("The sequence state file " + file + " is corrupt: it holds "
                        + channel.size() + " bytes, not one line; restore it, or delete it to start this sender anew.");
            }
            ByteBuffer buffer = ByteBuffer.allocate(MAX_FILE_BYTES + 1);
            while (channel.read(buffer) > 0 && buffer.hasRemaining()) {
                // read to the end
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException | SequenceStateException e) {
            throw e;
        } catch (AccessDeniedException e) {
            throw new SequenceStateException("The sequence state file " + file + " cannot be read: permission denied.",
                    e);
        } catch (IOException e) {
            throw new SequenceStateException("The sequence state file " + file + " cannot be read: " + e + ".", e);
        }
    }

    private static long parse(Path file, String text) throws SequenceStateException {
        Matcher m = LINE.matcher(text);
        if (!m.matches()) {
            throw new SequenceStateException("The sequence state file " + file
                    + " is corrupt (expected 'mqttwarden-sequence v1 next=<number>'); restore it, or delete it to"
                    + " start this sender anew.");
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new SequenceStateException("The sequence state file " + file
                    + " is corrupt: its number is out of range; restore it, or delete it to start this sender anew.", e);
        }
    }

    /** Replaces the state file with {@code next} atomically: a crash leaves the old state or the new, never a mix. */
    private void write(long value) throws IOException {
        byte[] bytes = ("mqttwarden-sequence v1 next=" + value + "\n").getBytes(StandardCharsets.US_ASCII);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp); // left by a crash between create and move: ours, and never the state
        try (FileChannel channel = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), ownerOnly(file))) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceFolder(file.getParent());
    }

    private static FileAttribute<?>[] ownerOnly(Path file) {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }

    /** Makes the rename itself durable where the platform allows forcing a folder (Linux does; Windows does not). */
    private static void forceFolder(Path folder) {
        if (folder == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here: the rename is still atomic, only its durability is up to the file system
        }
    }

    @Override
    public String toString() {
        return "SequenceCounter[" + file + "]";
    }
}
