package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto (Debian package) for a test running inside the Karaf container: loopback only, a password file,
 * in its own folder under the container's {@code karaf.home} with a pid file there (./run-tests ends a broker left
 * running by an interrupted run of this checkout, and only that one). warden-test-support's {@code Mosquitto} is
 * the same for plain unit tests; this one lives in the probe, which has no warden-test-support bundle.
 */
final class ProbeMosquitto implements AutoCloseable {

    private final Path dir;
    private final Process process;
    private final int port;

    private ProbeMosquitto(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /** Starts a broker knowing {@code users} (name to password) and waits until it listens. */
    static ProbeMosquitto start(Map<String, String> users) throws Exception {
        String mosquitto = find("mosquitto");
        String passwd = find("mosquitto_passwd");
        if (mosquitto == null || passwd == null) {
            fail("The mosquitto binaries are missing (Debian package 'mosquitto'): ./run-tests installs them,"
                    + " or run: apt-get install -y mosquitto");
        }
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("karaf.home")).toAbsolutePath(),
                "mosquitto-");
        Path pwFile = dir.resolve("passwd");
        boolean first = true;
        for (Map.Entry<String, String> u : users.entrySet()) {
            if (first) {
                run(passwd, "-b", "-c", pwFile.toString(), u.getKey(), u.getValue());
                first = false;
            } else {
                run(passwd, "-b", pwFile.toString(), u.getKey(), u.getValue());
            }
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n", "listener " + port + " 127.0.0.1", "allow_anonymous false",
                "password_file " + pwFile, "persistence false", "user " + System.getProperty("user.name"),
                "log_dest stderr", ""), StandardCharsets.UTF_8);
        Process broker = new ProcessBuilder(mosquitto, "-c", conf.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        Files.writeString(dir.resolve("mosquitto.pid"), broker.pid() + "\n", StandardCharsets.US_ASCII);
        ProbeMosquitto m = new ProbeMosquitto(dir, broker, port);
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> listening(port));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    int port() {
        return port;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The broker's own folder, for files a test puts beside it (credentials, state). */
    Path dir() {
        return dir;
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(String.join(" ", command), p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(command[0], 0, p.exitValue());
    }

    private static String find(String binary) {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")) {
            File f = new File(d, binary);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
