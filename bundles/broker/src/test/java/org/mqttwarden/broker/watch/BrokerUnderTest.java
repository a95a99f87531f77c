package org.mqttwarden.broker.watch;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.mqttwarden.testsupport.Mosquitto;

/**
 * Debian's real Mosquitto (test-support's {@link Mosquitto}) with the log options the generated configuration has
 * ({@code log_dest file}, {@code log_type notice} and {@code information}, {@code connection_messages true},
 * {@code log_timestamp true}), an IPv6 loopback listener when the machine has one, and one account; plus the
 * clients the tests connect: Paho v5, and raw sockets for what Paho would not send.
 */
final class BrokerUnderTest implements AutoCloseable {

    static final String USER = "device";
    static final String PASSWORD = "right-password";

    final Mosquitto broker;
    final Path log;
    final int port6;

    private BrokerUnderTest(Mosquitto broker, Path log, int port6) {
        this.broker = broker;
        this.log = log;
        this.port6 = port6;
    }

    static BrokerUnderTest start(Path dir) throws IOException, InterruptedException {
        Path log = dir.resolve("log").resolve("mosquitto.log");
        Files.createDirectories(log.getParent());
        int port6 = ipv6Port();
        Mosquitto.Builder b = Mosquitto.in(dir).user(USER, PASSWORD).config("log_dest file " + log)
                .config("log_type notice").config("log_type information").config("connection_messages true")
                .config("log_timestamp true");
        if (port6 > 0) {
            b.config("listener " + port6 + " ::1");
        }
        return new BrokerUnderTest(b.start(), log, port6);
    }

    /** @return a free port on ::1, or 0 when the machine has no IPv6 loopback */
    private static int ipv6Port() {
        try (ServerSocket s = new ServerSocket(0, 1, Inet6Address.getByName("::1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            return 0;
        }
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the broker's log holds {@code text}. */
    void awaitLog(String text) {
        await().atMost(Duration.ofSeconds(15)).until(() -> logText().contains(text));
    }

    /** @return a connected Paho v5 client, over IPv4 or the IPv6 listener */
    MqttClient connect(String clientId, String password, boolean ipv6) throws MqttException {
        String url = ipv6 ? "tcp://[::1]:" + port6 : broker.url();
        MqttClient c = new MqttClient(url, clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(USER);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        c.connect(o);
        return c;
    }

    /** @return an open socket to the IPv4 listener */
    Socket socket() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), broker.port()), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    /** @return an MQTT 3.1.1 CONNECT packet with a username and password, as raw bytes */
    static byte[] connectPacket(String clientId, String user, String password, int keepAlive) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT");
        body.write(4);
        body.write(0xC2); // username, password, clean session
        body.write(keepAlive >> 8);
        body.write(keepAlive & 0xff);
        string(body, clientId);
        string(body, user);
        string(body, password);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        int length = b.length;
        do {
            int digit = length % 128;
            length /= 128;
            packet.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        packet.writeBytes(b);
        return packet.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xff);
        out.writeBytes(b);
    }

    @Override
    public void close() throws InterruptedException {
        broker.close();
    }
}
