package org.mqttwarden.broker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's captured output stays bounded on disk and in memory, however much a broker prints. */
class OutputCaptureTest {

    @TempDir
    Path dir;

    @Test
    void aBrokerPrintingWithoutEndKeepsAtMostTwoBoundedFilesAndTheLastLines() throws Exception {
        Path file = dir.resolve("log").resolve(OutputCapture.NAME);
        OutputCapture capture = new OutputCapture(file, 64 * 1024);
        ByteArrayOutputStream flood = new ByteArrayOutputStream();
        for (int i = 0; i < 20_000; i++) {
            flood.writeBytes(("line " + i + " of a broker that prints in a loop\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(flood.size()).isGreaterThan(10 * 64 * 1024);

        capture.mark("--- warden: started ---");
        capture.pump(new ByteArrayInputStream(flood.toByteArray()));

        assertThat(Files.size(file)).isLessThanOrEqualTo(64 * 1024);
        assertThat(Files.size(file.resolveSibling(OutputCapture.NAME + ".1"))).isLessThanOrEqualTo(64 * 1024);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).hasSize(2);
        }
        assertThat(Files.readString(file)).endsWith("line 19999 of a broker that prints in a loop\n");
        assertThat(capture.tail()).hasSize(OutputCapture.TAIL_LINES)
                .endsWith("line 19999 of a broker that prints in a loop");
    }

    @Test
    void aLineWithoutEndIsCutInTheTail() throws Exception {
        OutputCapture capture = new OutputCapture(dir.resolve(OutputCapture.NAME), 1024 * 1024);
        capture.pump(new ByteArrayInputStream("x".repeat(100_000).getBytes(StandardCharsets.US_ASCII)));
        assertThat(capture.tail()).singleElement().satisfies(l -> assertThat(l).hasSize(OutputCapture.MAX_LINE_CHARS
                + 1).endsWith("…"));
    }
}
