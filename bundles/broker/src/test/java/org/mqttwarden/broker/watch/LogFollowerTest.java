package org.mqttwarden.broker.watch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogFollower} on real files: start at the end, partial lines, rotation both ways, a missing file, floods. */
class LogFollowerTest {

    @TempDir
    Path dir;

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger skips = new AtomicInteger();
    private LogFollower follower;

    private final LogFollower.Listener listener = new LogFollower.Listener() {
        @Override
        public void line(String line) {
            lines.add(line);
        }

        @Override
        public void skipped() {
            skips.incrementAndGet();
        }
    };

    @AfterEach
    void stop() {
        if (follower != null) {
            follower.close();
        }
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void awaitLines(String... expected) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines).containsExactly(expected));
    }

    /** Starts a follower and waits for its first look, which decides where it starts reading. */
    private LogFollower startOn(Path file) {
        follower = LogFollower.start(file, listener, "test-follower");
        await().atMost(Duration.ofSeconds(10)).until(() -> follower.passes.sum() > 0);
        return follower;
    }

    @Test
    void startsAtTheEndOfAnExistingFileAndDeliversCompleteLinesOnly() throws IOException {
        Path log = dir.resolve("mosquitto.log");
        append(log, "1: old line\n");
        startOn(log);
        append(log, "2: first\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> !lines.isEmpty());
        assertThat(lines).containsExactly("2: first");
        append(log, "3: par");
        append(log, "tial\r\n4: last\n");
        awaitLines("2: first", "3: partial", "4: last");
    }

    @Test
    void followsARenameRotationReadingTheOldFileToItsEnd() throws IOException {
        Path log = dir.resolve("mosquitto.log");
        append(log, "");
        startOn(log);
        append(log, "1: before\n");
        awaitLines("1: before");
        Path rotated = dir.resolve("mosquitto.log.1");
        Files.move(log, rotated, StandardCopyOption.ATOMIC_MOVE);
        // the broker keeps writing to the renamed file until it reopens its log
        append(rotated, "2: still old\n");
        awaitLines("1: before", "2: still old");
        append(log, "3: new file\n");
        append(rotated, "");
        awaitLines("1: before", "2: still old", "3: new file");
        append(log, "4: more\n");
        awaitLines("1: before", "2: still old", "3: new file", "4: more");
        assertThat(follower.rotations.sum()).isEqualTo(1);
    }

    @Test
    void followsACopyTruncateRotation() throws IOException {
        Path log = dir.resolve("mosquitto.log");
        append(log, "");
        startOn(log);
        append(log, "1: a fairly long line before the rotation\n");
        awaitLines("1: a fairly long line before the rotation");
        Files.copy(log, dir.resolve("mosquitto.log.1"));
        try (FileChannel c = FileChannel.open(log, StandardOpenOption.WRITE)) {
            c.truncate(0);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> follower.truncations.sum() == 1);
        append(log, "2: after\n");
        awaitLines("1: a fairly long line before the rotation", "2: after");
    }

    @Test
    void waitsForAMissingFileAndReadsItFromItsStart() throws IOException {
        Path log = dir.resolve("log").resolve("mosquitto.log");
        startOn(log);
        Files.createDirectories(log.getParent());
        append(log, "1: from the start\n");
        awaitLines("1: from the start");
        Files.delete(log);
        append(log, "2: again\n");
        awaitLines("1: from the start", "2: again");
    }

    @Test
    void aFloodBeyondTheBacklogIsSkippedCountedAndToldAndFollowingGoesOn() throws IOException {
        Path log = dir.resolve("mosquitto.log");
        startOn(log);
        // the whole flood appears at once (an atomic rename), so it is unread backlog when first seen
        Path flood = dir.resolve("flood.tmp");
        String line = "1796694219: New connection from 10.0.0.1:1000 on port 8883.\n";
        long size;
        try (var out = Files.newBufferedWriter(flood, UTF_8)) {
            for (long written = 0; written <= LogFollower.MAX_BACKLOG; written += line.length()) {
                out.write(line);
            }
        }
        size = Files.size(flood);
        Files.move(flood, log, StandardCopyOption.ATOMIC_MOVE);
        await().atMost(Duration.ofSeconds(10)).until(() -> follower.skippedBytes.sum() == size);
        assertThat(skips.get()).isPositive();
        append(log, "2: after the flood\n");
        awaitLines("2: after the flood");
    }

    @Test
    void anOverlongLineIsCutAndCountedNotDelivered() throws IOException {
        Path log = dir.resolve("mosquitto.log");
        append(log, "");
        startOn(log);
        append(log, "x".repeat(LogParser.MAX_LINE * 3) + "\n1: fine\n");
        awaitLines("1: fine");
        assertThat(follower.cutLines.sum()).isEqualTo(1);
    }
}
