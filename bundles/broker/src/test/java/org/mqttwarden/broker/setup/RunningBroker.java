package org.mqttwarden.broker.setup;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.mqttwarden.testsupport.Mosquitto;

/**
 * Debian's real Mosquitto running a generated setup, as the proof asks: go-auth's file swapped for
 * Mosquitto's own password_file (made with mosquitto_passwd), the listeners moved to free loopback ports; every
 * other line as generated.
 */
final class RunningBroker implements AutoCloseable {

    final Process process;
    final Path output;
    final int tlsPort;
    final int plainPort;

    private RunningBroker(Process process, Path output, int tlsPort, int plainPort) {
        this.process = process;
        this.output = output;
        this.tlsPort = tlsPort;
        this.plainPort = plainPort;
    }

    /**
     * @param users name to password, for mosquitto_passwd
     * @param generatedPlainPort the --plain-port the setup was generated with, or 0
     */
    static RunningBroker start(Layout l, Map<String, String> users, int generatedPlainPort) throws Exception {
        Path passwd = l.dir().resolve("passwd");
        for (Map.Entry<String, String> u : users.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of(Mosquitto.binary("mosquitto_passwd"), "-b"));
            if (!Files.exists(passwd)) {
                cmd.add("-c");
            }
            cmd.addAll(List.of(passwd.toString(), u.getKey(), u.getValue()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("mosquitto_passwd failed: " + out);
            }
        }
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
        Path output = l.dir().resolve("mosquitto.out");
        Process p = new ProcessBuilder(Mosquitto.binary("mosquitto"), "-c", l.mosquittoConf().toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        RunningBroker broker = new RunningBroker(p, output, tls, plain);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> !p.isAlive() || listening(tls));
        if (!p.isAlive()) {
            throw new IllegalStateException("mosquitto exited: " + broker.output() + "\nlog:\n" + log(l));
        }
        // its own log file shows the start-up line once it serves (the socket opens before it is written)
        await().atMost(Duration.ofSeconds(15)).until(() -> log(l).contains(" running") || !p.isAlive());
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
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
