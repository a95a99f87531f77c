package org.mqttwarden.crypto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.testsupport.Mosquitto;

/**
 * The warden-mqtt command line, run in process through {@link WardenMqtt#run} against a real Mosquitto that wants a
 * username and password: key files, publish and subscribe end to end, and each exit code.
 */
class WardenMqttTest {

    private static final String USER = "device-7";
    private static final String PASSWORD = "cli-pw-Zq81x";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path shared;
    private static Mosquitto broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = Mosquitto.in(shared.resolve("broker")).user(USER, PASSWORD).start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    /** What one run printed and returned. */
    record Result(int code, String out, String err) {
    }

    static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WardenMqtt.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void keygenWritesAnOwnerOnlyKeyFileAndNeverOverwritesOne() throws Exception {
        Path key = dir.resolve("device.psk");
        Result r = run("", "keygen", "--out", key.toString(), "--id", "plant-7");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        List<String> lines = Files.readAllLines(key);
        assertThat(lines.get(0)).startsWith("#");
        assertThat(lines.subList(1, 3)).containsExactly("mqttwarden-psk v1", "id=plant-7");
        assertThat(Base64.getDecoder().decode(lines.get(3).substring("key=".length()))).hasSize(32);
        assertThat(PreSharedKey.read(key).keyId()).isEqualTo("plant-7");

        byte[] before = Files.readAllBytes(key);
        Result again = run("", "keygen", "--out", key.toString());
        assertThat(again.code()).isEqualTo(WardenMqtt.EXIT_FAILED);
        assertThat(again.err()).contains("never overwritten");
        assertThat(Files.readAllBytes(key)).isEqualTo(before);

        Path other = dir.resolve("other.psk");
        assertThat(run("", "keygen", "--out", other.toString()).code()).isZero();
        assertThat(Files.readString(other)).doesNotContain(lines.get(3)).containsPattern("id=psk-[0-9a-f]{16}");
    }

    @Test
    void publishAndSubscribeThroughTheBrokerPrintOneEscapedLinePerMessage() throws Exception {
        Path key = dir.resolve("k.psk");
        assertThat(run("", "keygen", "--out", key.toString()).code()).isZero();
        ByteArrayOutputStream subOut = new ByteArrayOutputStream();
        ByteArrayOutputStream subErr = new ByteArrayOutputStream();
        CompletableFuture<Integer> subscriber = CompletableFuture.supplyAsync(() -> WardenMqtt.run(
                new String[] {"subscribe", "--url", broker.url(), "--key", key.toString(), "--topic", "cli/#",
                    "--count", "3", "--username", USER, "--password-stdin"},
                new ByteArrayInputStream((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8)),
                new PrintStream(subOut, true, StandardCharsets.UTF_8),
                new PrintStream(subErr, true, StandardCharsets.UTF_8)));
        await().atMost(WAIT).until(() -> subErr.toString(StandardCharsets.UTF_8).contains("Subscribed to cli/#")
                || subscriber.isDone());
        assertThat(subscriber).as(subErr.toString(StandardCharsets.UTF_8)).isNotDone();

        String[] common = {"--url", broker.url(), "--key", key.toString(), "--username", USER, "--password-stdin",
            "--state-dir", dir.resolve("state").toString()};
        Result first = run(PASSWORD + "\n", concat(new String[] {"publish", "--topic", "cli/a", "--message",
            "hello world"}, common));
        assertThat(first.code()).as(first.err()).isZero();
        // a sender cannot forge a second line (here one that looks like another verified message) into the output
        Result second = run(PASSWORD + "\n", concat(new String[] {"publish", "--topic", "cli/b", "--message",
            "fine\nOK cli/c forged\\x"}, common));
        assertThat(second.code()).as(second.err()).isZero();
        try (PlainClient attacker = plainWithPassword()) {
            attacker.publishRaw("cli/c", "not an envelope".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(subscriber.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(subOut.toString(StandardCharsets.UTF_8).split("\n", -1)).containsExactly(
                "OK cli/a hello world", "OK cli/b fine\\nOK cli/c forged\\\\x", "MALFORMED cli/c", "");
        for (String printed : List.of(subOut.toString(StandardCharsets.UTF_8), subErr.toString(StandardCharsets.UTF_8),
                first.out(), first.err(), second.out(), second.err())) {
            assertThat(printed).doesNotContain(PASSWORD);
        }
    }

    @Test
    void badArgumentsExitTwoWithTheUsage() throws Exception {
        Path key = dir.resolve("k.psk");
        run("", "keygen", "--out", key.toString());
        List<String[]> bad = List.of(
                new String[] {},
                new String[] {"frobnicate"},
                new String[] {"keygen"},
                new String[] {"keygen", "--out"},
                new String[] {"keygen", "--out", dir.resolve("x").toString(), "--id", "bad id/with slash"},
                new String[] {"publish", "--url", broker.url(), "--key", key.toString(), "--topic", "t"},
                new String[] {"publish", "--url", broker.url(), "--key", key.toString(), "--topic", "t",
                    "--message", "m", "--qos", "3"},
                new String[] {"publish", "--url", broker.url(), "--key", key.toString(), "--topic", "a/+",
                    "--message", "m", "--username", USER, "--password-stdin", "--state-dir",
                    dir.resolve("s").toString()},
                new String[] {"publish", "--url", "http://127.0.0.1:1", "--key", key.toString(), "--topic", "t",
                    "--message", "m"},
                new String[] {"subscribe", "--url", broker.url(), "--key", key.toString(), "--topic", "t",
                    "--count", "0"},
                new String[] {"subscribe", "--url", broker.url(), "--key", key.toString(), "--topic", "t",
                    "--topic", "u"},
                new String[] {"subscribe", "--url", broker.url(), "--key", key.toString(), "--topic", "t",
                    "--password-stdin"},
                new String[] {"subscribe", "--url", broker.url(), "--key", key.toString(), "--topic", "t",
                    "--cafile", key.toString()},
                new String[] {"subscribe", "--url", broker.url(), "--key", key.toString(), "--topic", "a/#/b",
                    "--username", USER, "--password-stdin"},
                new String[] {"subscribe", "--url", broker.url(), "--key", key.toString(), "--topic", "t",
                    "--message", "m"});
        for (String[] args : bad) {
            Result r = run(PASSWORD + "\n", args);
            assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(WardenMqtt.EXIT_USAGE);
            assertThat(r.err()).as(String.join(" ", args)).contains("usage: warden-mqtt");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void anUnreachableOrRefusingBrokerExitsThree() throws Exception {
        Path key = dir.resolve("k.psk");
        run("", "keygen", "--out", key.toString());
        String nobody = "tcp://127.0.0.1:" + SecureMqttClientTest.freePort();
        Result unreachable = run("", "publish", "--url", nobody, "--key", key.toString(), "--topic", "t",
                "--message", "m", "--state-dir", dir.resolve("state").toString());
        assertThat(unreachable.code()).as(unreachable.err()).isEqualTo(WardenMqtt.EXIT_BROKER);
        assertThat(unreachable.err()).contains(nobody);

        Result wrongPassword = run("not-" + PASSWORD + "\n", "subscribe", "--url", broker.url(), "--key",
                key.toString(), "--topic", "t", "--username", USER, "--password-stdin");
        assertThat(wrongPassword.code()).as(wrongPassword.err()).isEqualTo(WardenMqtt.EXIT_BROKER);
        assertThat(wrongPassword.err()).contains("username or password").doesNotContain(PASSWORD);
    }

    @Test
    void anUnreadableKeyExitsFourBeforeAnyConnection() throws Exception {
        String nobody = "tcp://127.0.0.1:" + SecureMqttClientTest.freePort();
        Path missing = dir.resolve("missing.psk");
        Path shared = dir.resolve("shared.psk");
        run("", "keygen", "--out", shared.toString());
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        Path corrupt = dir.resolve("corrupt.psk");
        run("", "keygen", "--out", corrupt.toString());
        Files.writeString(corrupt, Files.readString(corrupt).replaceAll("key=.*", "key=AAAA"));
        Path folder = dir.resolve("folder");
        Files.createDirectory(folder);

        for (Path key : List.of(missing, shared, corrupt, folder)) {
            Result r = run("", "subscribe", "--url", nobody, "--key", key.toString(), "--topic", "t");
            assertThat(r.code()).as(key + ": " + r.err()).isEqualTo(WardenMqtt.EXIT_KEY);
            assertThat(r.err()).contains(key.toString());
        }
        Result shown = run("", "subscribe", "--url", nobody, "--key", shared.toString(), "--topic", "t");
        assertThat(shown.err()).contains("chmod 600").doesNotContain(
                Files.readAllLines(shared).get(3).substring("key=".length()));
    }

    @Test
    void payloadsAreEscapedToOneLine() {
        assertThat(WardenMqtt.escape("a\\b\tc\r\n\u0000\u007f\u0085\u2028é✓".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("a\\\\b\\tc\\r\\n\\x00\\x7f\\x85\\u2028é✓");
        assertThat(WardenMqtt.escape(new byte[] {(byte) 0xff, 'x'})).isEqualTo("\ufffdx");
    }

    private static PlainClient plainWithPassword() throws Exception {
        return new PlainClient(broker.url(), "attacker", USER, PASSWORD.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
