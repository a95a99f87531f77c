package org.mqttwarden.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the command lines of ENVELOPE.md section 9, as written there, with the real {@code openssl}: they verify and
 * decrypt v1 envelopes this codec sealed (the golden one and fresh ones), and refuse a tampered or moved one. Skipped
 * (an assumption) only when OpenSSL 3, {@code xxd} or {@code bash} is not on the PATH.
 */
class OpensslInteropTest {

    private static final String GOLDEN_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    private static String procedure;

    @TempDir
    Path dir;

    private final SecureRandom random = new SecureRandom();

    @BeforeAll
    static void needsOpenssl3() throws Exception {
        assumeTrue(onPath("openssl") && onPath("xxd") && onPath("bash"), "openssl, xxd and bash are on the PATH");
        Process version = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
        assumeTrue(version.waitFor(30, TimeUnit.SECONDS), "openssl version answers");
        String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(text.startsWith("OpenSSL 3"), "OpenSSL 3 (openssl kdf) is installed: " + text.trim());
        procedure = Spec.between("interop:begin", "interop:end");
    }

    @Test
    void verifiesAndDecryptsTheGoldenEnvelope() throws Exception {
        byte[] golden = HexFormat.of().parseHex(Spec.lineAfter("golden:v1"));

        Result r = run(GOLDEN_KEY, "plant/line1/temp", golden);

        assertThat(r.exit).as(r.stderr).isZero();
        assertThat(r.plaintext).isEqualTo("21.5 C".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void verifiesAndDecryptsFreshEnvelopesOfEverySize() throws Exception {
        EnvelopeCodec codec = new EnvelopeCodec(EnvelopeVersion.V1);
        for (int size : new int[] {0, 1, 15, 16, 17, 1000}) {
            byte[] secret = bytes(32);
            byte[] plaintext = bytes(size);
            String topic = "usine/\u00e9t\u00e9/capteur-" + size;
            byte[] envelope = codec.seal(EnvelopeKey.of(secret), "key-" + size, "\u00e9metteur", size, 5, topic,
                    plaintext);

            Result r = run(HexFormat.of().formatHex(secret), topic, envelope);

            assertThat(r.exit).as("size %d: %s", size, r.stderr).isZero();
            assertThat(r.plaintext).as("size %d", size).isEqualTo(plaintext);
        }
    }

    @Test
    void refusesATamperedOrMovedEnvelopeBeforeDecrypting() throws Exception {
        byte[] secret = bytes(32);
        byte[] envelope = new EnvelopeCodec(EnvelopeVersion.V1).seal(EnvelopeKey.of(secret), "k1", "s", 1, 2,
                "a/b", bytes(40));
        byte[] flipped = envelope.clone();
        flipped[flipped.length - 40] ^= 1;

        Result tampered = run(HexFormat.of().formatHex(secret), "a/b", flipped);
        Result moved = run(HexFormat.of().formatHex(secret), "a/c", envelope);

        for (Result r : new Result[] {tampered, moved}) {
            assertThat(r.exit).isEqualTo(1);
            assertThat(r.stderr).contains("TAMPERED");
            assertThat(r.plaintext).isNull();
        }
    }

    private Result run(String keyHex, String topic, byte[] envelope) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory(dir, "run");
        Files.write(work.resolve("env.bin"), envelope);
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", procedure).directory(work.toFile())
                .redirectOutput(work.resolve("stdout.txt").toFile())
                .redirectError(work.resolve("stderr.txt").toFile());
        pb.environment().put("KEY", keyHex);
        pb.environment().put("TOPIC", topic);
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the openssl procedure finishes").isTrue();
        Path out = work.resolve("plaintext.bin");
        return new Result(p.exitValue(), Files.readString(work.resolve("stderr.txt")),
                Files.exists(out) ? Files.readAllBytes(out) : null);
    }

    private record Result(int exit, String stderr, byte[] plaintext) {
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
