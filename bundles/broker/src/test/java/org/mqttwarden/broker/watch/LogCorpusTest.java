package org.mqttwarden.broker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.broker.watch.LogLine.Kind;

/**
 * Records what the real Mosquitto 2.0.11 logs for each kind of connection, with the generated configuration's log
 * options, and parses it: the lines are never hand-written. The recording goes to
 * {@code target/watch-corpus/mosquitto-2.0.11.log}; with {@code -Dwatch.corpus.update=true} it also replaces the
 * committed corpus {@code src/test/resources/org/mqttwarden/broker/watch/mosquitto-2.0.11.log}, which
 * {@link #theCommittedCorpusParsesTheSame} reads without a broker.
 */
class LogCorpusTest {

    static final String CORPUS = "mosquitto-2.0.11.log";

    @TempDir
    Path dir;

    @Test
    void recordsTheRealBrokersLinesAndParsesEachKind() throws Exception {
        String text;
        try (BrokerUnderTest b = BrokerUnderTest.start(dir)) {
            MqttClient good = b.connect("good-1", BrokerUnderTest.PASSWORD, false);
            good.disconnect();
            good.close();
            assertThatThrownBy(() -> b.connect("bad-1", "wrong", false)).isInstanceOf(MqttException.class);
            if (b.port6 > 0) {
                MqttClient six = b.connect("six-1", BrokerUnderTest.PASSWORD, true);
                six.disconnect();
                six.close();
            }
            try (Socket s = b.socket()) {
                s.getOutputStream().write("garbage\r\n".getBytes(StandardCharsets.US_ASCII));
                awaitClosed(s);
            }
            try (Socket s = b.socket()) {
                b.awaitLog("on port " + b.broker.port() + ".\n"); // accepted, then closed without a CONNECT
            }
            b.awaitLog("Client <unknown> closed its connection.");
            try (Socket s = b.socket()) {
                // logged in with a 1 s keep-alive, then silent: Mosquitto drops it after 1.5 s
                s.getOutputStream().write(BrokerUnderTest.connectPacket("sleepy-1", BrokerUnderTest.USER,
                        BrokerUnderTest.PASSWORD, 1));
                awaitClosed(s);
            }
            try (Socket s = b.socket()) {
                s.getOutputStream().write(BrokerUnderTest.connectPacket("gone-1", BrokerUnderTest.USER,
                        BrokerUnderTest.PASSWORD, 60));
                s.getInputStream().read(new byte[4]); // CONNACK, then the socket closes without DISCONNECT
            }
            // an attack: a client id carrying a newline and a forged line, with a wrong password
            try (Socket s = b.socket()) {
                s.getOutputStream().write(BrokerUnderTest.connectPacket("evil\n1796694219: New client connected"
                        + " from 6.6.6.6:1 as victim (p2, c1, k60, u'device').", BrokerUnderTest.USER, "wrong", 60));
                awaitClosed(s);
            }
            b.awaitLog("Client gone-1 closed its connection.");
            b.awaitLog("Client sleepy-1 has exceeded timeout, disconnecting.");
            text = b.logText();
        }
        Path recorded = Path.of("target", "watch-corpus", CORPUS);
        Files.createDirectories(recorded.getParent());
        Files.writeString(recorded, text, StandardCharsets.UTF_8);
        if (Boolean.getBoolean("watch.corpus.update")) {
            Files.writeString(Path.of("src/test/resources/org/mqttwarden/broker/watch", CORPUS), text,
                    StandardCharsets.UTF_8);
        }
        assertThat(text).doesNotContain("victim").doesNotContain("6.6.6.6");
        assertKinds(text.lines().toList(), text.contains("::1"));
    }

    @Test
    void theCommittedCorpusParsesTheSame() throws IOException {
        try (InputStream in = getClass().getResourceAsStream(CORPUS)) {
            assumeThat(in).as("the committed corpus").isNotNull();
            String text = new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
            assertKinds(text.lines().toList(), true);
        }
    }

    private static void assertKinds(List<String> lines, boolean ipv6) {
        LogParser parser = new LogParser(ZoneId.systemDefault());
        List<String> seen = new ArrayList<>();
        for (String l : lines) {
            LogLine p = parser.parse(l);
            if (p != null) {
                assertThat(p.epochSecond()).as(l).isPositive();
                seen.add(p.kind() + " " + p.clientId() + " " + p.address()
                        + (p.kind() == Kind.CONNECTED ? " u=" + p.username() + " p" + p.protocol() : ""));
            }
        }
        assertThat(seen).contains("BROKER_RESTART null null", "ACCEPTED null 127.0.0.1",
                "CONNECTED good-1 127.0.0.1 u=device p5", "DISCONNECTED good-1 null",
                "NOT_AUTHORISED null null", "PROTOCOL_ERROR null null", "DISCONNECTED null null",
                "CONNECTED sleepy-1 127.0.0.1 u=device p2", "DISCONNECTED sleepy-1 null",
                "CONNECTED gone-1 127.0.0.1 u=device p2", "DISCONNECTED gone-1 null");
        if (ipv6) {
            assertThat(seen).contains("ACCEPTED null ::1", "CONNECTED six-1 ::1 u=device p5", "DISCONNECTED six-1 null");
        }
        // every line about a client is read: none of them falls through as unknown
        for (String l : lines) {
            if (l.contains(": New c") || l.contains(": Client ")) {
                assertThat(parser.parse(l)).as(l).isNotNull();
            }
        }
    }

    private static void awaitClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[64];
        try {
            while (in.read(buffer) >= 0) {
                // CONNACK or nothing, until the broker closes
            }
        } catch (java.net.SocketException e) {
            // reset by the broker: closed too
        }
    }
}
