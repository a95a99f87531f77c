package org.mqttwarden.testsupport;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Debian's real {@code mosquitto -c <file>} on a configuration the test wrote or generated itself (where
 * {@link Mosquitto} writes its own), its output in {@code <file>.out} beside it. Stopped with SIGTERM, as systemd
 * would, and SIGKILL if it has not exited within 10 s.
 */
public final class MosquittoProcess implements AutoCloseable {

    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final Process process;
    private final Path output;

    private MosquittoProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code mosquitto -c conf}; returns at once (see {@link #awaitListening}, {@link #awaitExit}). */
    public static MosquittoProcess start(Path conf) throws IOException {
        Path out = conf.resolveSibling(conf.getFileName() + ".out");
        Process p = new ProcessBuilder(Mosquitto.binary("mosquitto"), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        return new MosquittoProcess(p, out);
    }

    /**
     * Writes a Mosquitto password file with {@code mosquitto_passwd} (created, or added to).
     *
     * @param users name to password
     */
    public static void passwordFile(Path file, Map<String, String> users) throws IOException, InterruptedException {
        String passwd = Mosquitto.binary("mosquitto_passwd");
        for (Map.Entry<String, String> u : users.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of(passwd, "-b"));
            if (!Files.exists(file)) {
                cmd.add("-c");
            }
            cmd.addAll(List.of(file.toString(), u.getKey(), u.getValue()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("mosquitto_passwd failed for " + u.getKey() + ": " + out);
            }
        }
    }

    public Process process() {
        return process;
    }

    /** @return the file its standard output and error go to */
    public Path outputFile() {
        return output;
    }

    /** @return whether it listens on 127.0.0.1:port within 15 s (false as soon as it has exited) */
    public boolean awaitListening(int port) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (process.isAlive() && !listening(port) && System.nanoTime() - deadline < 0) {
            // polling a port: there is no event to wait for; 20 ms between attempts
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return process.isAlive() && listening(port);
    }

    /** @return its exit code, awaited for at most 15 s */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            throw new AssertionError("mosquitto still runs after 15 s; its output:\n" + output());
        }
        return process.exitValue();
    }

    /** @return what it printed so far */
    public String output() {
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

    /** @return a TCP port free on loopback now */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** @return whether something accepts connections on 127.0.0.1:port */
    public static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
