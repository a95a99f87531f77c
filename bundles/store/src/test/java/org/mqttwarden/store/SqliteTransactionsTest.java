package org.mqttwarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-then-write transaction on the gateway's database (the alert detector's seen clients, the lockout's
 * state) must not fail because another process or connection wrote between its read and its write: begun
 * deferred, SQLite refuses its write at once (SQLITE_BUSY, snapshot), without waiting; begun IMMEDIATE, it holds
 * the write lock from the start and the other writer waits its turn.
 */
class SqliteTransactionsTest {

    @TempDir
    Path dir;

    @Test
    void aReadThenWriteTransactionHoldsTheWriteLockFromItsStartSoItsWriteCannotBeRefused() throws Exception {
        Path file = dir.resolve("warden.db");
        SqliteDatabase db = new SqliteDatabase(file, 5000, 2);
        try {
            Jdbi jdbi = Jdbi.create(db.dataSource());
            jdbi.useHandle(h -> {
                h.execute("CREATE TABLE seen (k TEXT PRIMARY KEY, n INTEGER NOT NULL)");
                h.execute("INSERT INTO seen VALUES ('a', 0)");
            });
            int n = jdbi.<Integer, Exception>inTransaction(h -> {
                int read = h.createQuery("SELECT n FROM seen WHERE k = 'a'").mapTo(Integer.class).one();
                // another process writes now: it has to wait (here: gives up after 100 ms) instead of getting in
                try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                        Statement s = other.createStatement()) {
                    s.execute("PRAGMA busy_timeout = 100");
                    assertThatThrownBy(() -> s.executeUpdate("UPDATE seen SET n = 100 WHERE k = 'a'"))
                            .isInstanceOf(SQLException.class).hasMessageContaining("locked");
                }
                return h.createUpdate("UPDATE seen SET n = :n WHERE k = 'a'").bind("n", read + 1).execute();
            });
            assertThat(n).isEqualTo(1);
            int stored = jdbi.withHandle(h -> h.createQuery("SELECT n FROM seen").mapTo(Integer.class).one());
            assertThat(stored).isEqualTo(1);
        } finally {
            db.close();
        }
    }
}
