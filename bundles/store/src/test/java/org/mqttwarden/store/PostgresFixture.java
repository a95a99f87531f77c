package org.mqttwarden.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.PostgresServer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The store's tests on a real PostgreSQL ({@link PostgresServer}): a fresh database per test, the store opened
 * through its configuration ({@code url}, {@code ssl.mode} ...), and what {@link PostgresServer} does not offer
 * yet: stopping and starting the same server (same data, same port) and adding a line to its {@code pg_hba.conf}.
 */
final class PostgresFixture implements AutoCloseable {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    final PostgresServer server;
    private final int port;

    private PostgresFixture(PostgresServer server) {
        this.server = server;
        Matcher m = Pattern.compile("//127\\.0\\.0\\.1:(\\d+)/").matcher(server.url());
        if (!m.find()) {
            throw new IllegalStateException("No port in " + server.url());
        }
        this.port = Integer.parseInt(m.group(1));
    }

    static PostgresFixture start() throws IOException, InterruptedException {
        return new PostgresFixture(PostgresServer.start());
    }

    /** @return the name of a new, empty database */
    String createDatabase() throws SQLException {
        String name = "warden_" + DATABASES.incrementAndGet();
        superuser("CREATE DATABASE " + name);
        return name;
    }

    /** Runs {@code sql} as the cluster's superuser {@code warden}, in the {@code postgres} database. */
    void superuser(String sql) throws SQLException {
        try (Connection c = source("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** @return the URL of {@code database}, with no parameter */
    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** @return the superuser's own data source on {@code database}, outside the store */
    PGSimpleDataSource source(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url(database));
        ds.setUser("warden");
        ds.setConnectTimeout(5);
        ds.setSocketTimeout(30);
        return ds;
    }

    /** @return the store's configuration for {@code database} as the superuser, without TLS, plus {@code more} */
    static Map<String, Object> config(String url, Map<String, ?> more) {
        Map<String, Object> c = new HashMap<>();
        c.put("url", url);
        c.put("user", "warden");
        c.put("ssl.mode", "disable");
        c.putAll(more);
        return c;
    }

    /** @return the store opened through its configuration */
    StoreDatabase open(String database, Map<String, ?> more) {
        return new StoreDatabase(Configs.of(StoreDatabase.Config.class, config(url(database), more)));
    }

    /** Puts {@code line} first in {@code pg_hba.conf} and asks the server to reload it (it does so soon after). */
    void hbaFirst(String line) throws IOException, SQLException {
        Path hba = server.folder().resolve("data").resolve("pg_hba.conf");
        String old = Files.readString(hba, StandardCharsets.UTF_8);
        Files.writeString(hba, line + "\n" + old, StandardCharsets.UTF_8);
        superuser("SELECT pg_reload_conf()");
    }

    /** Stops the server at once (the clients' connections die), keeping its data. */
    void stop() throws IOException, InterruptedException {
        pgCtl("-m", "immediate", "-w", "stop");
    }

    /** Starts the stopped server again, on the same port with the same data. */
    void restart() throws IOException, InterruptedException {
        Path dir = server.folder();
        pgCtl("-l", dir.resolve("log").toString(), "-w", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
    }

    private void pgCtl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin().resolve("pg_ctl").toString());
        cmd.addAll(List.of("-D", server.folder().resolve("data").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static Path bin() throws IOException {
        try (Stream<Path> versions = Files.list(Paths.get("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.naturalOrder()).orElseThrow(() -> new IOException("pg_ctl not found"));
        }
    }
}
