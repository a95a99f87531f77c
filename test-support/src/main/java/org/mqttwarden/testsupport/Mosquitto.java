package org.mqttwarden.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Mosquitto broker (Debian package {@code mosquitto}) started by a test on a free loopback port, with
 * its own configuration, password file and log in a folder the test gives. Anonymous access is off unless
 * asked for; the broker runs as the current user, so it can read and write that folder.
 *
 * <pre>{@code
 * try (Mosquitto broker = Mosquitto.in(dir).user("warden-alerts", secret).start()) {
 *     client = new MqttClient(broker.url(), "id", new MemoryPersistence());
 * }
 * }</pre>
 */
public final class Mosquitto implements AutoCloseable {

    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final Process process;
    private final int port;
    private final Path dir;

    private Mosquitto(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** @return a builder of a broker whose files go to {@code dir} (created if missing) */
    public static Builder in(Path dir) {
        return new Builder(dir);
    }

    /**
     * @return the absolute path of a Mosquitto binary ({@code mosquitto}, {@code mosquitto_passwd},
     *         {@code mosquitto_ctrl}, {@code mosquitto_pub}…)
     * @throws IllegalStateException naming the package to install when it is missing
     */
    public static String binary(String name) {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")) {
            File f = new File(d, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException("The Mosquitto binary '" + name + "' is missing (Debian packages 'mosquitto'"
                + " and 'mosquitto-clients'): ./run-tests installs them, or run: apt-get install -y mosquitto"
                + " mosquitto-clients");
    }

    /** @return the port the broker listens on, on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return {@code tcp://127.0.0.1:<port>}, for Paho */
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** @return the broker's log file (its stdout and stderr) */
    public Path log() {
        return dir.resolve("mosquitto.log");
    }

    /** @return what the broker has logged so far */
    public String logText() {
        try {
            return Files.readString(log(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return whether the broker process still runs */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the broker (SIGKILL, as a crash or power loss would) and waits for it to exit. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** What the broker is to be started with. */
    public static final class Builder {

        private final Path dir;
        private final Map<String, String> users = new LinkedHashMap<>();
        private final List<String> lines = new ArrayList<>();
        private boolean anonymous;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** Adds an account to the broker's password file (written by {@code mosquitto_passwd}). */
        public Builder user(String name, String password) {
            users.put(name, password);
            return this;
        }

        /** Lets clients connect without a username ({@code allow_anonymous true}). */
        public Builder anonymous() {
            anonymous = true;
            return this;
        }

        /** Adds a line to {@code mosquitto.conf} after the listener, e.g. a {@code plugin_opt_…} line. */
        public Builder config(String line) {
            if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("one configuration line at a time: " + line);
            }
            lines.add(line);
            return this;
        }

        /**
         * Writes the configuration and starts the broker.
         *
         * @return the broker, accepting connections
         * @throws IllegalStateException when a binary is missing, or the broker exits or does not listen
         *         within 15 s (its log in the message)
         */
        public Mosquitto start() throws IOException, InterruptedException {
            String mosquitto = binary("mosquitto");
            Files.createDirectories(dir);
            List<String> conf = new ArrayList<>();
            int port = freePort();
            conf.add("listener " + port + " 127.0.0.1");
            conf.add("allow_anonymous " + anonymous);
            if (!users.isEmpty()) {
                Path passwords = dir.resolve("passwd");
                Files.deleteIfExists(passwords);
                MosquittoProcess.passwordFile(passwords, users);
                conf.add("password_file " + passwords);
            }
            conf.add("persistence false");
            conf.add("user " + System.getProperty("user.name"));
            conf.add("log_dest stderr");
            conf.addAll(lines);
            conf.add("");
            Path file = dir.resolve("mosquitto.conf");
            Files.writeString(file, String.join("\n", conf), StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(mosquitto, "-c", file.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
            Mosquitto broker = new Mosquitto(process, port, dir);
            long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
            while (!listening(port)) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    broker.close();
                    throw new IllegalStateException("Mosquitto did not start listening on 127.0.0.1:" + port
                            + " within 15 s; its log:\n" + broker.logText());
                }
                // polling a port: there is no event to wait for; 20 ms between attempts
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            return broker;
        }

        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
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
}
