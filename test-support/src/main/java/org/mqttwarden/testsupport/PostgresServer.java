package org.mqttwarden.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server on loopback, started from the Debian package's binaries
 * ({@code apt-get install postgresql}; {@code ./run-tests} installs it). PostgreSQL refuses to run
 * as root, so under root it runs as the package's {@code postgres} user.
 */
public final class PostgresServer implements AutoCloseable {

    private final Path dir;
    private final Path bin;
    private final int port;
    private final boolean asPostgres;

    private PostgresServer(Path dir, Path bin, int port, boolean asPostgres) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /**
     * Creates a cluster in a new temporary folder and starts it on a free loopback port, trust authentication
     * for the user {@code warden}.
     *
     * @throws IOException when the binaries are missing (the message says which package to install) or a
     *         tool fails (its output in the message)
     */
    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = findBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("warden-pg");
        if (root) {
            run(List.of("chown", "postgres", dir.toString()), false);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PostgresServer server = new PostgresServer(dir, bin, port, root);
        server.pg("initdb", "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "warden", "--no-sync", "-E",
                "UTF8");
        server.pg("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(), "-w", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        return server;
    }

    /** @return the JDBC URL of the {@code postgres} database as the user {@code warden} */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=warden";
    }

    /** @return the folder holding the cluster, its socket and log */
    public Path folder() {
        return dir;
    }

    /** Stops the server at once and deletes its folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            pg("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void pg(String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(Arrays.asList(args));
        run(cmd, true);
    }

    private static void run(List<String> cmd, boolean quiet) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static Path findBin() throws IOException {
        Path root = Paths.get("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Path bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.naturalOrder()).orElse(null);
                if (bin != null) {
                    return bin;
                }
            }
        }
        throw new IOException("PostgreSQL server binaries not found under /usr/lib/postgresql: install the Debian"
                + " package 'postgresql' (./run-tests does)");
    }
}
