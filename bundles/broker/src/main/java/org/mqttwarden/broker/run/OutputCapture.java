package org.mqttwarden.broker.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The broker's standard output and error, written to {@code <broker.dir>/log/mosquitto.out} (what Mosquitto says
 * before its own log is open: a configuration error, a plugin it cannot load), bounded: past {@link #MAX_BYTES} the
 * file becomes {@code mosquitto.out.1} (replacing the previous one) and a new file starts, so a broker that
 * prints in a loop cannot fill the disk. The last {@link #TAIL_LINES} lines are also kept in memory for
 * {@code warden:broker-status}. Shared by the successive runs of one managed broker; one pump at a time.
 */
final class OutputCapture {

    static final String NAME = "mosquitto.out";
    static final long MAX_BYTES = 1024 * 1024;
    static final int TAIL_LINES = 20;
    /** Longer lines are cut in the tail (the file keeps them whole). */
    static final int MAX_LINE_CHARS = 500;

    private final Path file;
    private final long maxBytes;
    private final Deque<String> tail = new ArrayDeque<>();
    private OutputStream out;
    private long written;

    OutputCapture(Path brokerDir) {
        this(brokerDir.resolve("log").resolve(NAME), MAX_BYTES);
    }

    OutputCapture(Path file, long maxBytes) {
        this.file = file;
        this.maxBytes = maxBytes;
    }

    Path file() {
        return file;
    }

    /** @return the last lines the broker printed (any run), oldest first */
    synchronized List<String> tail() {
        return List.copyOf(tail);
    }

    /**
     * Writes a line of the gateway's own (a run starting), to tell runs apart in the file, and starts a new tail:
     * the tail is always the latest run's.
     */
    synchronized void mark(String line) {
        tail.clear();
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        write(b, 0, b.length);
    }

    /** Copies {@code in} (the process's merged output) until its end; on the caller's thread. */
    void pump(InputStream in) {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (this) {
                    write(buf, 0, n);
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        addLine(line);
                    } else if (line.size() < MAX_LINE_CHARS * 4) {
                        line.write(buf[i]);
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone, or its pipe closed: what was read is kept
        } finally {
            if (line.size() > 0) {
                addLine(line);
            }
            close();
        }
    }

    private synchronized void addLine(ByteArrayOutputStream line) {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.length() > MAX_LINE_CHARS) {
            s = s.substring(0, MAX_LINE_CHARS) + "…";
        }
        tail.addLast(s);
        while (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
    }

    private void write(byte[] b, int off, int len) {
        try {
            if (out == null) {
                Files.createDirectories(file.getParent());
                written = Files.exists(file) ? Files.size(file) : 0;
                out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            if (written + len > maxBytes && written > 0) {
                out.close();
                Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                written = 0;
            }
            int n = (int) Math.min(len, maxBytes);
            out.write(b, off, n);
            out.flush();
            written += n;
        } catch (IOException e) {
            // a full disk or a removed folder must not stop the pump (the broker would block on a full pipe)
            closeQuietly();
        }
    }

    private synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // nothing more to write
            }
            out = null;
        }
    }
}
