package org.mqttwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher starts the Debian broker, which then refuses a wrong password and accepts the right one. */
class MosquittoTest {

    @TempDir
    Path dir;

    @Test
    void startsABrokerThatKnowsOnlyItsUsers() throws Exception {
        try (Mosquitto broker = Mosquitto.in(dir).user("alice", "alice-secret-1").start()) {
            assertThat(connack(broker.port(), "alice", "alice-secret-1")).isZero();
            assertThat(connack(broker.port(), "alice", "wrong")).isNotZero();
            assertThat(connack(broker.port(), null, null)).isNotZero();
            assertThat(Files.readString(dir.resolve("passwd"))).startsWith("alice:$7$").doesNotContain("secret");
        }
    }

    @Test
    void aBrokerThatCannotStartSaysWhyWithItsLog() {
        assertThatThrownBy(() -> Mosquitto.in(dir).config("no_such_option 1").start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no_such_option");
    }

    @Test
    void aConfigurationValueCannotSmuggleASecondLine() {
        assertThatThrownBy(() -> Mosquitto.in(dir).config("allow_anonymous false\nallow_anonymous true"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** @return the CONNACK return code of an MQTT 3.1.1 CONNECT, written by hand (no client library here) */
    private static int connack(int port, String user, String password) throws Exception {
        byte[] id = "launcher-test".getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4});
        body.write(user == null ? 0x02 : 0xC2);
        body.write(new byte[] {0, 30});
        field(body, id);
        if (user != null) {
            field(body, user.getBytes(StandardCharsets.UTF_8));
            field(body, password.getBytes(StandardCharsets.UTF_8));
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(0x10);
            out.write(body.size());
            body.writeTo(out);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] ack = in.readNBytes(4);
            assertThat(ack).hasSize(4);
            assertThat(ack[0]).isEqualTo((byte) 0x20);
            return ack[3];
        }
    }

    private static void field(java.io.ByteArrayOutputStream b, byte[] v) {
        b.write(v.length >> 8);
        b.write(v.length & 0xff);
        b.write(v, 0, v.length);
    }
}
