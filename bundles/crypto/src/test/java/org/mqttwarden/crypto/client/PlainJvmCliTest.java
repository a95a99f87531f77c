package org.mqttwarden.crypto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.testsupport.Mosquitto;

/**
 * warden-mqtt as bin/warden-mqtt runs it: a separate plain JVM (no OSGi) whose class path is this module's classes,
 * Bouncy Castle's bcprov and Paho's MQTT v5 client, and nothing else. Proves that class path is enough.
 */
class PlainJvmCliTest {

    @TempDir
    Path dir;

    @Test
    void theCommandLineRunsWithWardenCryptoBcprovAndPahoAlone() throws Exception {
        try (Mosquitto broker = Mosquitto.in(dir.resolve("broker")).anonymous().start()) {
            Path key = dir.resolve("k.psk");
            Run keygen = java("keygen", "--out", key.toString());
            assertThat(keygen.code()).as(keygen.output()).isZero();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

            List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
            try (SecureMqttClient sub = SecureMqttClient.connect(SecureMqttOptions.builder().url(broker.url())
                    .clientId("jvm-sub").key(PreSharedKey.read(key)).senderId("jvm-sub").build())) {
                sub.subscribe("jvm/#", 1, received::add);
                Run publish = java("publish", "--url", broker.url(), "--key", key.toString(), "--topic", "jvm/t",
                        "--message", "from a plain JVM", "--state-dir", dir.resolve("state").toString());
                assertThat(publish.code()).as(publish.output()).isZero();
                await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
            }
            assertThat(received.get(0).state()).isEqualTo(MessageState.OK);
            assertThat(received.get(0).plaintext()).asString(StandardCharsets.UTF_8).isEqualTo("from a plain JVM");

            Run bad = java("publish", "--url", broker.url());
            assertThat(bad.code()).isEqualTo(WardenMqtt.EXIT_USAGE);
            assertThat(bad.output()).contains("usage: warden-mqtt");
        }
    }

    /** What a child JVM printed (stdout and stderr) and its exit code. */
    record Run(int code, String output) {
    }

    private Run java(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), WardenMqtt.class.getName()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** This module's classes plus the bcprov and Paho jars from the test class path: the launcher's class path. */
    private static String classPath() {
        List<String> keep = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (entry.endsWith("target" + File.separator + "classes") || name.startsWith("bcprov-jdk18on-")
                    || name.startsWith("org.eclipse.paho.mqttv5.client-")) {
                keep.add(entry);
            }
        }
        assertThat(keep).hasSize(3);
        return String.join(File.pathSeparator, keep);
    }
}
