package org.mqttwarden.crypto.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.testsupport.TestClock;

class SequenceCounterTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();

    private SequenceCounter open(Path file) throws IOException {
        return SequenceCounter.open(file, 1000, clock);
    }

    private static String state(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    @Test
    void aNewSenderStartsFromTheClockWithAnOwnerOnlyFile() throws IOException {
        Path file = dir.resolve("alice.seq");
        try (SequenceCounter counter = open(file)) {
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            long first = clock.millis() << 20;
            assertThat(counter.next()).isEqualTo(first);
            assertThat(counter.next()).isEqualTo(first + 1);
            assertThat(state(file)).isEqualTo("mqttwarden-sequence v1 next=" + (first + 1000) + "\n");
            for (int i = 0; i < 2500; i++) {
                counter.next();
            }
            assertThat(Files.getPosixFilePermissions(file)).as("after rewrites")
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(file);
        }
    }

    @Test
    void continuesExactlyAfterACleanRestart() throws IOException {
        Path file = dir.resolve("alice.seq");
        long last = -1;
        for (int life = 0; life < 5; life++) {
            clock.advance(Duration.ofMinutes(-10)); // a clock going back does not matter once the file exists
            try (SequenceCounter counter = open(file)) {
                for (int i = 0; i < 1234; i++) {
                    long n = counter.next();
                    if (last >= 0) {
                        assertThat(n).isEqualTo(last + 1);
                    }
                    last = n;
                }
            }
        }
    }

    @Test
    void aCrashSkipsAtMostOneBlockAndReusesNothing() throws IOException {
        Path file = dir.resolve("alice.seq");
        long highest = -1;
        for (int crash = 0; crash < 4; crash++) {
            SequenceCounter counter = open(file); // dropped below without close(): as after kill -9
            long first = counter.next();
            assertThat(first).as("after crash %d", crash).isGreaterThan(highest);
            if (highest >= 0) {
                assertThat(first - highest).as("gap after crash %d", crash).isLessThanOrEqualTo(1000);
            }
            highest = first;
            for (int i = 0; i < 700 * (crash + 1); i++) {
                highest = counter.next();
            }
        }
    }

    @Test
    void afterCloseItHandsOutNothing() throws IOException {
        SequenceCounter counter = open(dir.resolve("alice.seq"));
        counter.next();
        counter.close();
        counter.close();
        assertThatThrownBy(counter::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aLostStateFileStillStartsAboveTheOldNumbers() throws IOException {
        Path file = dir.resolve("alice.seq");
        long last;
        try (SequenceCounter counter = open(file)) {
            last = 0;
            for (int i = 0; i < 100_000; i++) {
                last = counter.next();
            }
        }
        Files.delete(file);
        clock.advance(Duration.ofMillis(1));
        try (SequenceCounter counter = open(file)) {
            assertThat(counter.next()).isGreaterThan(last);
        }
    }

    @Test
    void refusesACorruptFileNamingIt() throws IOException {
        Path file = dir.resolve("alice.seq");
        for (String bad : new String[] {"", "garbage\n", "mqttwarden-sequence v1 next=\n",
            "mqttwarden-sequence v1 next=-5\n", "mqttwarden-sequence v1 next=007\n",
            "mqttwarden-sequence v1 next=9999999999999999999\n", "mqttwarden-sequence v2 next=5\n",
            "mqttwarden-sequence v1 next=5\nmore\n", "mqttwarden-sequence v1 next=5" + "\0".repeat(200)}) {
            Files.writeString(file, bad, StandardCharsets.ISO_8859_1);
            assertThatThrownBy(() -> open(file)).as("%s", bad)
                    .isInstanceOf(SequenceStateException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("corrupt");
            assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as("left as found").isEqualTo(bad);
        }
    }

    @Test
    void refusesAnUnreadableStateNamingIt() throws IOException {
        Path file = dir.resolve("alice.seq");
        Files.createDirectory(file);
        assertThatThrownBy(() -> open(file)).isInstanceOf(SequenceStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("cannot be read");
    }

    @Test
    void acceptsTheStateItWrote() throws IOException {
        Path file = dir.resolve("alice.seq");
        Files.writeString(file, "mqttwarden-sequence v1 next=42\n");
        try (SequenceCounter counter = open(file)) {
            assertThat(counter.next()).isEqualTo(42);
            assertThat(state(file)).isEqualTo("mqttwarden-sequence v1 next=1042\n");
        }
        assertThat(state(file)).isEqualTo("mqttwarden-sequence v1 next=43\n");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void ignoresATemporaryFileLeftByACrashDuringAWrite() throws IOException {
        Path file = dir.resolve("alice.seq");
        Files.writeString(file, "mqttwarden-sequence v1 next=500\n");
        Path tmp = dir.resolve("alice.seq.tmp");
        Files.writeString(tmp, "mqttwarden-sequence v1 next=1\n");
        try (SequenceCounter counter = open(file)) {
            assertThat(counter.next()).isEqualTo(500);
        }
        assertThat(tmp).doesNotExist();
    }

    @Test
    void refusesABlockSizeThatCannotWork() {
        assertThatThrownBy(() -> SequenceCounter.open(dir.resolve("a"), 0, clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size");
    }
}
