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
import org.mqttwarden.store.PostgresAccess;
import org.mqttwarden.store.SqliteDatabase;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Every statement of {@link LockoutTables}, unchanged, on a real PostgreSQL server and on a SQLite file:
 * the same rows in, the same rows out. Like warden-store's PostgreSQL tests, this fails rather than skips
 * where the server binaries are missing ({@code ./run-tests} installs them).
 */
class LockoutSqlPortabilityTest {

    private static PostgresAccess server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        server = PostgresAccess.start();
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
                "29833333:3");
        LockoutStore.Row b = new LockoutStore.Row("émile ✓", 0, 0, 1_790_000_000_000L, 4, 1_790_000_000_000L, big,
                "29833333:2,29833334:3");
        store.save(a, 1);
        store.save(b, 1);
        assertThat(store.loadAll()).containsExactlyInAnyOrder(a, b);
        LockoutStore.Row a2 = new LockoutStore.Row("plc-1", 0, 0, 1_790_000_120_000L, 1, 1_790_000_120_000L,
                1_790_000_120_000L + 900_000L, "29833333:5");
        store.save(a2, 2);
        assertThat(store.loadAll()).containsExactlyInAnyOrder(a2, b);
        store.delete("plc-1");
        store.delete("nobody");
        assertThat(store.loadAll()).containsExactly(b);
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
