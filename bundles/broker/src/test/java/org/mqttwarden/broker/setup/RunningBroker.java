package org.mqttwarden.broker.setup;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.mqttwarden.testsupport.MosquittoProcess;

/**
 * Debian's real Mosquitto running a generated setup, as the proof asks: go-auth's file swapped for
 * Mosquitto's own password_file (made with mosquitto_passwd), the listeners moved to free loopback ports; every
 * other line as generated.
 */
final class RunningBroker implements AutoCloseable {

    final Process process;
    final int tlsPort;
    final int plainPort;
    private final MosquittoProcess broker;

    private RunningBroker(MosquittoProcess broker, int tlsPort, int plainPort) {
        this.broker = broker;
        this.process = broker.process();
        this.tlsPort = tlsPort;
        this.plainPort = plainPort;
    }

    /**
     * @param users name to password, for mosquitto_passwd
     * @param generatedPlainPort the --plain-port the setup was generated with, or 0
     */
    static RunningBroker start(Layout l, Map<String, String> users, int generatedPlainPort) throws Exception {
        Path passwd = l.dir().resolve("passwd");
        MosquittoProcess.passwordFile(passwd, users);
        Files.delete(l.goAuthConf());
        Files.writeString(l.confD().resolve("password.conf"), "password_file " + passwd + "\n");
        int tls = freePort();
        int plain = freePort();
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(l.mosquittoConf())) {
            if (line.equals("listener 8883")) {
                line = "listener " + tls + " 127.0.0.1";
            } else if (generatedPlainPort > 0 && line.equals("listener " + generatedPlainPort + " 127.0.0.1")) {
                line = "listener " + plain + " 127.0.0.1";
            }
            lines.add(line);
        }
        Files.write(l.mosquittoConf(), lines);
        MosquittoProcess p = MosquittoProcess.start(l.mosquittoConf());
        RunningBroker broker = new RunningBroker(p, tls, plain);
        if (!p.awaitListening(tls)) {
            broker.close();
            throw new IllegalStateException("mosquitto exited: " + broker.output() + "\nlog:\n" + log(l));
        }
        // its own log file shows the start-up line once it serves (the socket opens before it is written)
        await().atMost(Duration.ofSeconds(15)).until(() -> log(l).contains(" running") || !p.process().isAlive());
        return broker;
    }

    static String log(Layout l) {
        try {
            return Files.exists(l.log()) ? Files.readString(l.log(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String output() {
        return broker.output();
    }

    @Override
    public void close() {
        broker.close();
    }

    static int freePort() throws IOException {
        return MosquittoProcess.freePort();
    }

    static boolean listening(int port) {
        return MosquittoProcess.listening(port);
    }
}
