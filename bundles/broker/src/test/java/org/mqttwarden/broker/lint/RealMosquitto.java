package org.mqttwarden.broker.lint;

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
import java.util.concurrent.TimeUnit;
import org.mqttwarden.testsupport.Mosquitto;

/** Debian's real {@code mosquitto -c <file>}, started by a test, its output in a log file beside the config. */
final class RealMosquitto implements AutoCloseable {

    final Process process;
    final Path log;

    private RealMosquitto(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static RealMosquitto start(Path conf) throws IOException {
        Path log = conf.resolveSibling(conf.getFileName() + ".out");
        Process p = new ProcessBuilder(Mosquitto.binary("mosquitto"), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new RealMosquitto(p, log);
    }

    /** @return whether it listens on 127.0.0.1:port within 15 s (false as soon as it has exited) */
    boolean awaitListening(int port) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> !process.isAlive() || listening(port));
        return process.isAlive() && listening(port);
    }

    /** @return its exit code, awaited for at most 15 s */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            throw new AssertionError("mosquitto still runs after 15 s; its output:\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops it with SIGTERM, as systemd would, and SIGKILL if it has not exited within 10 s. */
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
