package org.mqttwarden.broker.watch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a log file as {@code tail -F} does, on one daemon thread, handing each complete line to a
 * {@link Listener}:
 * <ul>
 * <li>from the end of the file when it exists at start (what was logged before is history, not state), from its
 * beginning when it appears later (a broker started after the gateway, a rotated file);</li>
 * <li>rotation by rename and a new file (logrotate's default): the old file is read to its end, then the new
 * one from its beginning; copytruncate: the file shrinks, and is read again from its beginning; the file missing
 * for a while: waited for;</li>
 * <li>a line is handed over only once its newline is written; one longer than {@link LogParser#MAX_LINE} bytes is
 * cut there (its rest skipped) and counted;</li>
 * <li>bounded: when more than {@link #MAX_BACKLOG} bytes are unread (a flood of lines faster than they are read),
 * the follower jumps to the end of the file and counts the bytes skipped ({@link #skippedBytes}); the listener is
 * told ({@link Listener#skipped}) so that state built from consecutive lines is dropped rather than trusted.</li>
 * </ul>
 * It wakes on the file system's change notifications ({@link WatchService}, inotify on Linux: the JDK runs one
 * poller thread of its own for all watch services) and at least every {@value #IDLE_MILLIS} ms, so a file system
 * without notifications is still followed.
 */
final class LogFollower implements AutoCloseable {

    /** Whom the lines go to, on the follower's thread. */
    interface Listener {
        void line(String line);

        /** Lines were lost (skipped, or the file was truncated or replaced mid-line). */
        default void skipped() {
        }
    }

    static final long MAX_BACKLOG = 4L << 20;
    /** Most a {@link #catchUp} reads on the caller's thread; beyond, the follower's thread reads the rest. */
    static final int CATCH_UP_MAX = 64 * 1024;
    static final long IDLE_MILLIS = 250;
    private static final Logger LOG = LoggerFactory.getLogger(LogFollower.class);

    private final Path file;
    private final Listener listener;
    private final Thread thread;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private final byte[] line = new byte[LogParser.MAX_LINE];
    private int lineLength;
    private boolean cutting;
    private volatile boolean running = true;

    final LongAdder lines = new LongAdder();
    final LongAdder skippedBytes = new LongAdder();
    final LongAdder cutLines = new LongAdder();
    final LongAdder rotations = new LongAdder();
    final LongAdder truncations = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder catchUps = new LongAdder();
    /** Looks at the file so far (tests wait for the first, which decides where reading starts). */
    final LongAdder passes = new LongAdder();

    /** Held while reading: by the follower's thread for each look, by a caller's thread in {@link #catchUp}. */
    private final ReentrantLock reading = new ReentrantLock();
    private FileChannel channel;
    private boolean deniedSaid;
    private Object fileKey;
    private long position;

    private LogFollower(Path file, Listener listener, String threadName) {
        this.file = file.toAbsolutePath();
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /** @return a follower of {@code file}, started */
    static LogFollower start(Path file, Listener listener, String threadName) {
        LogFollower f = new LogFollower(file, listener, threadName);
        f.thread.start();
        return f;
    }

    /** Stops the thread and waits for it (bounded). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        WatchService watch = null;
        WatchKey key = null;
        try {
            boolean first = true;
            while (running) {
                if (watch == null || key == null || !key.isValid()) {
                    // the folder may be missing (a fresh gateway has no broker folder): watched once it exists
                    if (watch == null) {
                        watch = newWatch();
                    }
                    key = register(watch);
                }
                reading.lock();
                try {
                    follow(first);
                } finally {
                    reading.unlock();
                }
                first = false;
                passes.increment();
                await(watch, key != null && key.isValid());
            }
        } catch (RuntimeException e) {
            LOG.warn("The broker log follower of {} stopped: {}", file, e.toString());
        } finally {
            closeChannel();
            if (watch != null) {
                try {
                    watch.close();
                } catch (IOException e) {
                    // closing: nothing to do
                }
            }
        }
    }

    private WatchService newWatch() {
        try {
            return FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private WatchKey register(WatchService watch) {
        if (watch == null || !Files.isDirectory(file.getParent())) {
            return null;
        }
        try {
            return file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | ClosedWatchServiceException e) {
            return null;
        }
    }

    /** Waits for a change in the folder, at most {@value #IDLE_MILLIS} ms. */
    private void await(WatchService watch, boolean watching) {
        if (!watching) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS));
            return;
        }
        try {
            WatchKey k = watch.poll(IDLE_MILLIS, TimeUnit.MILLISECONDS);
            if (k != null) {
                k.pollEvents();
                k.reset();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            running = false;
        }
    }

    /** Reads what is new: opens, detects truncation and replacement, reads to the end. */
    private void follow(boolean first) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            attributes = null; // missing for now (rotation in progress, broker not set up)
        }
        if (channel != null) {
            readToEnd();
            if (channel != null && attributes != null && !Objects.equals(attributes.fileKey(), fileKey)) {
                // renamed away and replaced: the old file is read to its end, the new one from its start. While
                // the path is missing the old file is kept: the broker writes to it until it reopens its log
                closeChannel();
                rotations.increment();
                dropPartial();
            } else if (channel != null && shrunk()) {
                // copytruncate (lines written between the copy and the truncation are lost to every reader)
                truncations.increment();
                position = 0;
                dropPartial();
            }
        }
        if (channel == null && attributes != null && attributes.isRegularFile()) {
            open(attributes, first);
        }
        if (channel != null) {
            readToEnd();
        }
    }

    /** @return whether the open file is now shorter than what was read of it (its size now, not a stale one) */
    private boolean shrunk() {
        try {
            return channel.size() < position;
        } catch (IOException e) {
            return false;
        }
    }

    private void open(BasicFileAttributes attributes, boolean atEnd) {
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            fileKey = attributes.fileKey();
            position = atEnd ? channel.size() : 0;
        } catch (NoSuchFileException e) {
            channel = null;
        } catch (java.nio.file.AccessDeniedException e) {
            channel = null;
            if (!deniedSaid) {
                deniedSaid = true; // said once: the follower keeps trying, and a fixed mode is picked up
                LOG.info("The broker log {} is not readable by the gateway's user; client addresses stay unknown"
                        + " until it is", file);
            }
        } catch (IOException e) {
            LOG.debug("The broker log {} cannot be read yet: {}", file, e.toString());
            channel = null;
        }
    }

    /**
     * Reads, on the caller's thread, what the open file holds now (at most {@value #CATCH_UP_MAX} bytes), so that
     * lines the broker wrote before the caller's moment are handed over before the caller decides. One positional
     * read of a local file's newest bytes, which the page cache holds since the broker just wrote them.
     *
     * @param maxWaitNanos how long to wait for the follower's thread when it is reading (it then reads the same
     *     lines)
     * @return whether the read was made; false when the follower was busy for longer, or has no file open
     */
    boolean catchUp(long maxWaitNanos) {
        try {
            if (!reading.tryLock(maxWaitNanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (channel == null || !running) {
                return false;
            }
            catchUps.increment();
            read(CATCH_UP_MAX);
            return true;
        } finally {
            reading.unlock();
        }
    }

    private void readToEnd() {
        read(Long.MAX_VALUE);
    }

    private void read(long maxBytes) {
        try {
            long size = channel.size();
            if (size < position) {
                return; // truncated: handled by the caller
            }
            if (size - position > MAX_BACKLOG) {
                skippedBytes.add(size - position);
                position = size;
                dropPartial();
                skipped();
            }
            long budget = maxBytes;
            while (running && budget > 0) {
                buffer.clear();
                if (budget < buffer.capacity()) {
                    buffer.limit((int) budget);
                }
                int n = channel.read(buffer, position);
                if (n <= 0) {
                    break;
                }
                position += n;
                budget -= n;
                split(buffer.array(), n);
            }
        } catch (IOException e) {
            LOG.debug("Reading the broker log {} failed: {}", file, e.toString());
            closeChannel();
        }
    }

    private void split(byte[] bytes, int n) {
        for (int i = 0; i < n; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                if (!cutting) {
                    int end = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
                    deliver(end);
                }
                lineLength = 0;
                cutting = false;
            } else if (!cutting) {
                if (lineLength == line.length) {
                    cutLines.increment();
                    cutting = true; // the rest of this line is skipped; the line itself is not handed over
                    lineLength = 0;
                } else {
                    line[lineLength++] = b;
                }
            }
        }
    }

    private void deliver(int length) {
        lines.increment();
        try {
            listener.line(new String(line, 0, length, StandardCharsets.UTF_8)); // malformed bytes become U+FFFD
        } catch (RuntimeException e) {
            failures.increment();
            LOG.debug("A line of the broker log could not be handled: {}", e.toString());
        }
    }

    private void dropPartial() {
        if (lineLength > 0 || cutting) {
            skipped();
        }
        lineLength = 0;
        cutting = false;
    }

    private void skipped() {
        try {
            listener.skipped();
        } catch (RuntimeException e) {
            failures.increment();
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a read-only channel: nothing to do
            }
            channel = null;
        }
    }
}
