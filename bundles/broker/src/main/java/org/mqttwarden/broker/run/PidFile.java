package org.mqttwarden.broker.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code <broker.dir>/warden-broker.pid}: the process id and start time of the Mosquitto the gateway runs from that
 * folder, so that a gateway that crashed (and so could not stop its child) finds the broker it left behind on its
 * next start instead of starting a second one. The start time guards against a reused pid: a file naming a pid
 * that now belongs to another process, or to no process, is stale and ignored.
 */
final class PidFile {

    /** The file's name in the broker folder; Mosquitto's own {@code pid_file}, if configured, is another file. */
    static final String NAME = "warden-broker.pid";
    private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    private final Path file;

    PidFile(Path brokerDir) {
        this.file = brokerDir.resolve(NAME);
    }

    Path path() {
        return file;
    }

    /** Records {@code process} (atomically: a reader never sees half a file). */
    void write(ProcessHandle process) throws IOException {
        Instant started = process.info().startInstant().orElse(Instant.EPOCH);
        Path tmp = file.resolveSibling(NAME + ".tmp");
        Files.writeString(tmp, process.pid() + " " + started.toEpochMilli() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes the file; a file already gone is fine. */
    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the next start sees a stale file and ignores it: the pid no longer runs mosquitto
        }
    }

    /**
     * @return the Mosquitto the file names, when that process still runs and is the one recorded (same start time,
     *     a mosquitto binary); empty when there is no file, it is unreadable, or it is stale
     */
    Optional<ProcessHandle> running() {
        String text;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > 100) {
                return Optional.empty();
            }
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return Optional.empty();
        }
        String[] parts = text.split(" ");
        if (parts.length != 2) {
            return Optional.empty();
        }
        long pid;
        Instant started;
        try {
            pid = Long.parseLong(parts[0]);
            started = Instant.ofEpochMilli(Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> sameStart(h, started))
                .filter(h -> h.info().command().map(c -> c.endsWith("mosquitto")).orElse(false));
    }

    private static boolean sameStart(ProcessHandle h, Instant recorded) {
        return h.info().startInstant()
                .map(s -> Duration.between(s, recorded).abs().compareTo(START_TOLERANCE) <= 0).orElse(false);
    }
}
