package org.mqttwarden.lockout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.testsupport.PostgresServer;
import org.mqttwarden.store.SqliteDatabase;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Every statement of {@link LockoutTables}, unchanged, on a real PostgreSQL server and on a SQLite file:
 * the same rows in, the same rows out. Like warden-store's PostgreSQL tests, this fails rather than skips
 * where the server binaries are missing ({@code ./run-tests} installs them).
 */
class LockoutSqlPortabilityTest {

    private static PostgresServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** A database that applies migrations by running their statements, as warden-store's migrator does. */
    private static WardenDatabase plain(DataSource source) {
        return new WardenDatabase() {
            @Override
            public DataSource dataSource() {
                return source;
            }

            @Override
            public String describe() {
                return "test";
            }

            @Override
            public void migrate(String owner, List<Migration> migrations) {
                try (Connection c = source.getConnection(); Statement s = c.createStatement()) {
                    for (Migration m : migrations) {
                        for (String sql : m.statements()) {
                            s.execute(sql);
                        }
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    private static void roundTrip(LockoutStore store) {
        long big = LockoutTables.PERMANENT;
        LockoutStore.Row a = new LockoutStore.Row("plc-1", 3, 1_790_000_000_000L, 1_790_000_060_000L, 0, 0, 0,
                "29833333:3", 0, 0);
        LockoutStore.Row b = new LockoutStore.Row("émile ✓", 0, 0, 1_790_000_000_000L, 4, 1_790_000_000_000L, big,
                "29833333:2,29833334:3", 1_790_000_000_000L, big);
        store.save(a, 1);
        store.save(b, 1);
        assertThat(store.loadAll()).containsExactlyInAnyOrder(a, b);
        LockoutStore.Row a2 = new LockoutStore.Row("plc-1", 0, 0, 1_790_000_120_000L, 1, 1_790_000_120_000L,
                1_790_000_120_000L + 900_000L, "29833333:5", 1_790_000_120_000L, 1_790_000_120_000L + 3_600_000L);
        store.save(a2, 2);
        assertThat(store.loadAll()).containsExactlyInAnyOrder(a2, b);
        store.delete("plc-1");
        store.delete("nobody");
        assertThat(store.loadAll()).containsExactly(b);
        store.delete("émile ✓");

        Origin device = new Origin("plc-1", "10.0.0.5");
        Origin idOnly = new Origin("plc-1", "");
        LockoutStore.ScopeRow s1 = new LockoutStore.ScopeRow("plc-1", device, 2, 1_790_000_000_000L,
                1_790_000_060_000L, 0, 0, 0);
        LockoutStore.ScopeRow s2 = new LockoutStore.ScopeRow("plc-1", idOnly, 0, 0, 1_790_000_060_000L, 1,
                1_790_000_060_000L, big);
        LockoutStore.ScopeRow s3 = new LockoutStore.ScopeRow("émile ✓", device, 1, 5, 6, 0, 0, 0);
        store.saveScope(s1, 1);
        store.saveScope(s2, 1);
        store.saveScope(s3, 1);
        LockoutStore.ScopeRow s1b = new LockoutStore.ScopeRow("plc-1", device, 0, 0, 1_790_000_120_000L, 1,
                1_790_000_120_000L, 1_790_000_120_000L + 900_000L);
        store.saveScope(s1b, 2);
        assertThat(store.loadScopes()).containsExactlyInAnyOrder(s1b, s2, s3);
        store.deleteScope("plc-1", idOnly);
        assertThat(store.loadScopes()).containsExactlyInAnyOrder(s1b, s3);
        store.deleteScopes("plc-1");
        assertThat(store.loadScopes()).containsExactly(s3);
        store.deleteScopes("émile ✓");

        store.saveTrust("plc-1", device, 3_000, null);
        store.saveTrust("plc-1", idOnly, 2_000, null);
        store.saveTrust("émile ✓", device, 1_000, null);
        store.saveTrust("plc-1", device, 4_000, null);
        store.saveTrust("plc-1", new Origin("", "10.0.0.6"), 5_000, idOnly);
        assertThat(store.loadTrust(0)).containsExactly(new LockoutStore.TrustRow("émile ✓", device, 1_000),
                new LockoutStore.TrustRow("plc-1", device, 4_000),
                new LockoutStore.TrustRow("plc-1", new Origin("", "10.0.0.6"), 5_000));
        assertThat(store.loadTrust(4_000)).as("older ones are deleted").hasSize(2);
        assertThat(store.loadTrust(0)).hasSize(2);
        store.deleteTrust("plc-1");
        assertThat(store.loadTrust(0)).isEmpty();
    }

    @Test
    void theLockoutSqlRunsOnPostgresql() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(server.url());
        roundTrip(new LockoutStore(plain(ds)));
    }

    @Test
    void theLockoutSqlRunsOnSqlite() {
        SqliteDatabase db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 1);
        try {
            roundTrip(new LockoutStore(db));
            roundTrip(new LockoutStore(db));
        } finally {
            db.close();
        }
    }
}
