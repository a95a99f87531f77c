package org.mqttwarden.broker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.Mosquitto;

/**
 * A broker folder as broker-init would leave it, written by the test (broker-init is not this package's): a
 * mosquitto.conf with a listener on a free loopback port, a password file made by the real mosquitto_passwd, and a
 * log file in log/; the broker runs as the user running the tests. Also the checks every test of the managed broker
 * shares: whether a port listens or is free, and which Mosquitto processes of this folder are alive.
 */
public final class BrokerFolder {

    public final Path dir;
    public final int port;

    public BrokerFolder(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        this.port = freePort();
        Path passwd = dir.resolve("passwd");
        Process p = new ProcessBuilder(Mosquitto.binary("mosquitto_passwd"), "-c", "-b", passwd.toString(), "device",
                "a long device password").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("mosquitto_passwd failed: " + out);
        }
        Files.createDirectories(dir.resolve("log"));
        writeConf();
    }

    /** Writes a valid mosquitto.conf, with {@code extra} lines at the end. */
    public Path writeConf(String... extra) throws IOException {
        List<String> lines = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "allow_anonymous false",
                "password_file " + dir.resolve("passwd"), "persistence false",
                "log_dest file " + log(), "log_type all", "user " + System.getProperty("user.name")));
        lines.addAll(List.of(extra));
        Path conf = conf();
        Files.writeString(conf, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return conf;
    }

    public Path conf() {
        return dir.resolve("mosquitto.conf");
    }

    public Path log() {
        return dir.resolve("log").resolve("mosquitto.log");
    }

    /** @return the configuration of this folder, with {@code more} properties (by .cfg name) */
    public BrokerConfig config(Object... more) {
        Map<String, Object> p = new HashMap<>();
        p.put("broker.dir", dir.toString());
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return Configs.of(BrokerConfig.class, p);
    }

    public boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return whether the port can be bound again on loopback, as the next broker would */
    public boolean portFree() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the live processes whose command line names this folder (the brokers of this test) */
    public List<ProcessHandle> brokers() {
        String d = dir.toString();
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains(d)).orElse(false)).toList();
    }

    /** Fails when a broker of this folder is still alive, after killing it so that no test leaves an orphan. */
    public void assertNoOrphan() {
        List<ProcessHandle> left = brokers();
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left).as("Mosquitto processes left running by the test").isEmpty();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Deactivates {@code broker} as DS does when the gateway stops (for the command tests, in another package). */
    public static void deactivate(ManagedBroker broker) {
        broker.deactivate();
    }
}
