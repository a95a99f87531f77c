package org.mqttwarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.api.store.WardenDatabase.Migration;
import org.mqttwarden.testsupport.Configs;

/**
 * The store on a real PostgreSQL server, as a fleet's gateways use it: several starting at once on one empty
 * database, a schema newer than the gateway, the password from a file, and a server that stops, or never
 * answers, under a gateway that must not hang.
 */
class PostgresStoreTest {

    private static final String SECRET = "Fl33t-pa55word-Zq9";
    private static final Instant NOW = Instant.parse("2026-12-08T02:00:00Z");

    private static PostgresFixture pg;

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        pg = PostgresFixture.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        pg.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private StoreDatabase open(String database, Map<String, ?> more) {
        StoreDatabase db = pg.open(database, more);
        opened.add(db::close);
        return db;
    }

    private static List<Migration> fleetMigrations(int upTo) {
        List<Migration> all = List.of(
                new Migration(1, "a table", List.of("CREATE TABLE fleet_thing (id INTEGER NOT NULL PRIMARY KEY)")),
                new Migration(2, "a row", List.of("INSERT INTO fleet_thing (id) VALUES (1)")),
                new Migration(3, "a column", List.of("ALTER TABLE fleet_thing ADD COLUMN note VARCHAR(64)")));
        return all.subList(0, upTo);
    }

    @Test
    void threeGatewaysStartingAtOnceOnAnEmptyDatabaseMigrateEachStepOnce() throws Exception {
        String name = pg.createDatabase();
        List<StoreDatabase> gateways = List.of(open(name, Map.of()), open(name, Map.of()), open(name, Map.of()));
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        // the test holds the migration lock until all three wait for it, so they do start at the same moment
        try (Connection holder = pg.source(name).getConnection(); Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + Migrator.LOCK_KEY + ")");
            for (StoreDatabase db : gateways) {
                starts.add(CompletableFuture.runAsync(() -> {
                    try {
                        JdbiAccountStore store = new JdbiAccountStore(db);
                        db.migrate("fleet", fleetMigrations(3));
                        store.close();
                    } catch (RuntimeException e) {
                        errors.add(e);
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForTheLock(s) == 3);
            s.execute("SELECT pg_advisory_unlock(" + Migrator.LOCK_KEY + ")");
        }
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(errors).isEmpty();
        assertThat(count(name, "SELECT COUNT(*) FROM warden_schema WHERE owner = 'store'")).isEqualTo(1);
        assertThat(count(name, "SELECT COUNT(*) FROM warden_schema WHERE owner = 'store-changes'")).isEqualTo(1);
        assertThat(count(name, "SELECT COUNT(*) FROM warden_schema WHERE owner = 'fleet'")).isEqualTo(3);
        assertThat(count(name, "SELECT COUNT(*) FROM fleet_thing")).isEqualTo(1);
        assertThat(count(name, "SELECT COUNT(*) FROM warden_role")).isEqualTo(3);
        assertThat(gateways.get(2).status().schema()).containsEntry("store", 1).containsEntry("fleet", 3);
    }

    private static long waitingForTheLock(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'"
                + " AND NOT granted")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aRuntimeRoleWithoutDdlRightsRunsAGatewayOnAMigratedDatabaseAndCannotMigrate() throws Exception {
        String name = pg.createDatabase();
        new JdbiAccountStore(open(name, Map.of()));
        // the schema owner migrated; the gateways log in as a role that may read and write rows, nothing more
        pg.superuser("CREATE ROLE runtime_" + name + " LOGIN");
        try (Connection c = pg.source(name).getConnection(); Statement s = c.createStatement()) {
            s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO runtime_" + name);
        }
        StoreDatabase runtime = open(name, Map.of("user", "runtime_" + name));
        JdbiAccountStore store = new JdbiAccountStore(runtime);
        assertThat(store.insertAccount(new StoredAccount("dev1", "h", java.util.Set.of("sensor"), null, true, NOW,
                NOW))).isTrue();
        assertThat(runtime.status().schema()).containsEntry("store", 1);
        assertThatThrownBy(() -> runtime.migrate("fleet", fleetMigrations(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Migration fleet v1 (a table) failed: ")
                .hasMessageContaining("permission denied for schema public");
        assertThat(count(name, "SELECT COUNT(*) FROM warden_schema WHERE owner = 'fleet'")).isZero();
    }

    @Test
    void aSchemaNewerThanTheGatewayKnowsIsRefusedAndLeftUntouched() throws Exception {
        String name = pg.createDatabase();
        open(name, Map.of()).migrate("fleet", fleetMigrations(3));
        List<String> before = schemaRows(name);

        StoreDatabase older = open(name, Map.of());
        assertThatThrownBy(() -> older.migrate("fleet", fleetMigrations(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("The database holds schema version 3 of fleet, newer than the 2 this gateway knows: the"
                        + " gateway is older than its database, upgrade it (nothing was changed)");
        assertThat(schemaRows(name)).isEqualTo(before);
        assertThat(count(name, "SELECT COUNT(*) FROM fleet_thing")).isEqualTo(1);
    }

    @Test
    void thePasswordComesFromAnOwnerOnlyFileAndIsInNoLogDescriptionOrError() throws Exception {
        String name = pg.createDatabase();
        pg.superuser("CREATE ROLE fleet LOGIN PASSWORD '" + SECRET + "'");
        pg.superuser("ALTER DATABASE " + name + " OWNER TO fleet");
        pg.hbaFirst("host all fleet 127.0.0.1/32 scram-sha-256");
        await().atMost(Duration.ofSeconds(10)).until(() -> loginFails(name, "wrong"));

        Path open = Files.writeString(dir.resolve("open.pw"), SECRET + "\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> open(name, Map.of("user", "fleet", "password.file", open.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("password.file " + open + " has mode rw-r--r--: only its owner may read it, chmod 600 it"
                        + " (or 400)")
                .satisfies(e -> assertThat(e.toString()).doesNotContain(SECRET));
        assertThatThrownBy(() -> open(name, Map.of("user", "fleet", "password.file", open.toString(),
                "password", SECRET))).hasMessage("Set password or password.file, not both");

        Path wrong = Files.writeString(dir.resolve("wrong.pw"), SECRET + "-not\n");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
        Path right = Files.writeString(dir.resolve("right.pw"), SECRET + "\nsecond line ignored\n");
        Files.setPosixFilePermissions(right, PosixFilePermissions.fromString("r--------"));

        Captured log = Captured.start();
        try {
            StoreDatabase refused = open(name, Map.of("user", "fleet", "password.file", wrong.toString()));
            assertThatThrownBy(() -> new JdbiAccountStore(refused)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("password authentication failed for user \"fleet\"")
                    .satisfies(e -> assertThat(stackText(e)).doesNotContain(SECRET));
            assertThat(refused.status().lastError()).contains("password authentication failed");

            StoreDatabase db = open(name, Map.of("user", "fleet", "password.file", right.toString()));
            JdbiAccountStore store = new JdbiAccountStore(db);
            assertThat(store.insertAccount(new StoredAccount("dev1", "h", java.util.Set.of("sensor"), null, true,
                    NOW, NOW))).isTrue();
            assertThat(db.describe()).isEqualTo("postgresql://" + pg.url(name).substring(18));
            assertThat(String.join("\n", db.status().lines())).doesNotContain(SECRET).contains("store v1");

            // the password in the url: used, and nowhere shown
            StoreDatabase inUrl = new StoreDatabase(Configs.of(StoreDatabase.Config.class, Map.of("url",
                    pg.url(name) + "?user=fleet&password=" + SECRET, "ssl.mode", "disable")));
            opened.add(inUrl::close);
            assertThat(new JdbiAccountStore(inUrl).findAccount("dev1")).isPresent();
            assertThat(inUrl.describe()).doesNotContain(SECRET).doesNotContain("fleet");
        } finally {
            log.stop();
        }
        assertThat(log.text()).contains("Warden database at postgresql://127.0.0.1:")
                .contains("warden-store").doesNotContain(SECRET);
    }

    private static boolean loginFails(String database, String password) {
        var ds = pg.source(database);
        ds.setUser("fleet");
        ds.setPassword(password);
        try (Connection c = ds.getConnection()) {
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    @Test
    void aStoppedServerFailsWithinTheBoundAndThePoolRecoversWhenItIsBack() throws Exception {
        String name = pg.createDatabase();
        StoreDatabase db = open(name, Map.of("connect.timeout.ms", 1000, "query.timeout.seconds", 2));
        JdbiAccountStore store = new JdbiAccountStore(db);
        store.insertAccount(new StoredAccount("dev1", "h", java.util.Set.of("sensor"), null, true, NOW, NOW));
        DataSource ds = db.dataSource();
        // 1 s to connect (plus the check of an idle connection), 2 s on the network: well within 10 s
        Duration bound = Duration.ofSeconds(10);

        long t0 = System.nanoTime();
        pg.stop();
        long t1 = System.nanoTime();
        try {
            // a connection used a moment ago is lent unchecked and fails at its first statement (and leaves the
            // pool); then the pool itself has none to give: never a success while the server is down
            await().atMost(bound.multipliedBy(3)).until(() -> {
                CompletableFuture<Throwable> query = attempt(() -> selectOne(ds));
                await().atMost(bound).until(query::isDone);
                assertThat(query.join()).isInstanceOf(SQLException.class);
                return query.join() instanceof SQLTransientConnectionException;
            });
            long asked = System.nanoTime();
            CompletableFuture<Throwable> get = attempt(() -> ds.getConnection().close());
            await().atMost(bound).until(get::isDone);
            assertThat(get.join()).isInstanceOf(SQLTransientConnectionException.class);
            System.out.printf("getConnection refused after %d ms (connect.timeout.ms 1000)%n",
                    (System.nanoTime() - asked) / 1_000_000);
            CompletableFuture<Throwable> decision = attempt(() -> store.findAccount("dev1"));
            await().atMost(bound).until(decision::isDone);
            assertThat(decision.join()).isNotNull();
            assertThat(db.status().lastError()).isNotNull();
        } finally {
            long t2 = System.nanoTime();
            pg.restart();
            System.out.printf("stop %d ms, failing %d ms, start %d ms%n", (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        }
        long t3 = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> attempt(() -> selectOne(ds)).join() == null);
        System.out.printf("recovered %d ms after the start%n", (System.nanoTime() - t3) / 1_000_000);
        assertThat(store.findAccount("dev1")).isPresent();
    }

    @Test
    void aServerThatNeverAnswersFailsTheConnectionWithinTheBound() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // and never a byte back
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            StoreDatabase db = new StoreDatabase(Configs.of(StoreDatabase.Config.class, PostgresFixture.config(
                    "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/warden",
                    Map.of("connect.timeout.ms", 1000))));
            opened.add(db::close);

            CompletableFuture<Throwable> get = attempt(() -> db.dataSource().getConnection().close());
            await().atMost(Duration.ofSeconds(10)).until(get::isDone);
            assertThat(get.join()).isInstanceOf(SQLException.class);
            CompletableFuture<Throwable> start = attempt(() -> new JdbiAccountStore(db));
            await().atMost(Duration.ofSeconds(10)).until(start::isDone);
            assertThat(start.join()).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Cannot reach the database postgresql://127.0.0.1:"
                            + silent.getLocalPort() + "/warden within 1000 ms to migrate store: ");
            assertThat(held).isNotEmpty();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aStatementWaitsAtMostTheQueryTimeoutForAnAnswer() throws Exception {
        String name = pg.createDatabase();
        StoreDatabase db = open(name, Map.of("query.timeout.seconds", 1));
        // a server that accepted the statement and then stopped answering: the socket times out, the
        // connection is closed and leaves the pool
        CompletableFuture<Throwable> slow = attempt(() -> {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_sleep(60)");
            }
        });
        await().atMost(Duration.ofSeconds(15)).until(slow::isDone);
        assertThat(slow.join()).isInstanceOf(SQLException.class);
        assertThat(((SQLException) slow.join()).getSQLState()).startsWith("08");
        assertThat(attempt(() -> selectOne(db.dataSource())).join()).isNull();
    }

    @Test
    void theDefaultVerifyFullRefusesAServerWithoutTls() throws Exception {
        String name = pg.createDatabase();
        Map<String, Object> config = new HashMap<>(PostgresFixture.config(pg.url(name), Map.of()));
        config.remove("ssl.mode");
        StoreDatabase db = new StoreDatabase(Configs.of(StoreDatabase.Config.class, config));
        opened.add(db::close);
        assertThatThrownBy(() -> new JdbiAccountStore(db)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SSL");
        assertThat(db.status().lastError()).isEqualTo("The server does not support SSL. (the server offers no TLS:"
                + " turn ssl on in its postgresql.conf; ssl.mode = disable only for a database on this host)");
    }

    @Test
    void refusesAConfigurationItCannotUseInOneSentenceWithoutRepeatingTheUrl() {
        String secretUrl = "jdbc:mysql://db/warden?password=" + SECRET;
        assertThatThrownBy(() -> open("x", Map.of("url", secretUrl)))
                .hasMessage("url must be empty (the SQLite file at path) or jdbc:postgresql://host:port/database");
        assertThatThrownBy(() -> open("x", Map.of("ssl.mode", "sometimes")))
                .hasMessage("ssl.mode must be one of disable, allow, prefer, require, verify-ca, verify-full, not"
                        + " 'sometimes'");
        assertThatThrownBy(() -> open("x", Map.of("url", pg.url("x") + "?sslmode=disable", "ssl.mode",
                "verify-full"))).hasMessage("url asks for sslmode=disable but ssl.mode is verify-full: set it in"
                        + " ssl.mode only");
        assertThatThrownBy(() -> open("x", Map.of("pool.size", 0))).hasMessage("pool.size must be 1 to 32, was 0");
        assertThatThrownBy(() -> open("x", Map.of("connect.timeout.ms", 100)))
                .hasMessage("connect.timeout.ms must be 250 to 60000, was 100");
    }

    @Test
    void theStatusNamesTheBackendTheSchemaAndThePoolUse() throws Exception {
        String name = pg.createDatabase();
        StoreDatabase db = open(name, Map.of("pool.size", 3));
        new JdbiAccountStore(db);
        try (Connection held = db.dataSource().getConnection()) {
            StoreStatus status = db.status();
            assertThat(status.backend()).isEqualTo("postgresql");
            assertThat(status.location()).isEqualTo(db.describe());
            assertThat(status.schema()).isEqualTo(Map.of("store", 1, "store-changes", 1));
            assertThat(status.pool().active()).isEqualTo(1);
            assertThat(status.pool().max()).isEqualTo(3);
            assertThat(status.lastError()).isNull();
            assertThat(status.lines()).contains("Backend:     postgresql", "Schema:      store v1",
                    "Last error:  none since start");
        }
    }

    private static String stackText(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t).append('\n');
        }
        return out.toString();
    }

    private interface Attempt {
        void run() throws Exception;
    }

    /** @return a future completing with the failure of {@code a}, or null when it succeeded */
    private static CompletableFuture<Throwable> attempt(Attempt a) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                a.run();
                return null;
            } catch (Exception e) {
                return e;
            }
        });
    }

    private static void selectOne(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
    }

    private static long count(String database, String sql) throws SQLException {
        try (Connection c = pg.source(database).getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> schemaRows(String database) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = pg.source(database).getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT owner, version, description, applied_at FROM warden_schema"
                        + " ORDER BY owner, version")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3) + " " + rs.getLong(4));
            }
        }
        return rows;
    }

    /** What slf4j-simple (standard error) and pgjdbc (java.util.logging, every level) log meanwhile. */
    private static final class Captured {
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final PrintStream original = System.err;
        private final StringBuffer jul = new StringBuffer();
        private final Logger pgjdbc = Logger.getLogger("org.postgresql");
        private final Level level = pgjdbc.getLevel();
        private final Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                jul.append(new java.util.logging.SimpleFormatter().format(r));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        static Captured start() {
            Captured c = new Captured();
            System.setErr(new PrintStream(c.err, true, StandardCharsets.UTF_8));
            c.pgjdbc.setLevel(Level.ALL);
            handler(c);
            return c;
        }

        private static void handler(Captured c) {
            c.handler.setLevel(Level.ALL);
            c.pgjdbc.addHandler(c.handler);
        }

        void stop() {
            System.setErr(original);
            pgjdbc.removeHandler(handler);
            pgjdbc.setLevel(level);
        }

        String text() {
            return err.toString(StandardCharsets.UTF_8) + jul;
        }
    }
}
