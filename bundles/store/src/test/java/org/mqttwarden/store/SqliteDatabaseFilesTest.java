package org.mqttwarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.store.DatabaseFile;
import org.mqttwarden.api.store.DatabaseFiles.Durability;
import org.mqttwarden.api.store.DatabaseFiles.Settings;
import org.mqttwarden.api.store.WardenDatabase.Migration;

/** A bundle's own database file, opened through the factory the audit uses, on real SQLite files. */
class SqliteDatabaseFilesTest {

    @TempDir
    Path dir;

    private final SqliteDatabaseFiles files = new SqliteDatabaseFiles();

    @AfterEach
    void stop() {
        files.close();
    }

    private Settings own(String name) {
        return Settings.of(name).withPath(dir.resolve("warden").resolve(name + ".db"));
    }

    @Test
    void opensAPrivateFileInAPrivateFolderInWalModeWithTheDurabilityAndLimitsAsked() throws Exception {
        try (DatabaseFile db = files.open(own("audit").withDurability(Durability.FULL).withPoolSize(3)
                .withBusyTimeoutMs(1234).withWalSizeLimitBytes(16L * 1024 * 1024))) {
            assertThat(db.file()).isEqualTo(dir.resolve("warden/audit.db").toAbsolutePath());
            assertThat(db.describe()).isEqualTo("sqlite:" + db.file());
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
                assertThat(pragma(c, "synchronous")).isEqualTo("2"); // FULL
                assertThat(pragma(c, "journal_size_limit")).isEqualTo(String.valueOf(16 * 1024 * 1024));
                assertThat(pragma(c, "busy_timeout")).isEqualTo("1234");
                assertThat(pragma(c, "foreign_keys")).isEqualTo("1");
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t (x INTEGER)");
                    s.execute("INSERT INTO t VALUES (1)");
                }
            }
            assertThat(Files.getPosixFilePermissions(dir.resolve("warden")))
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
            for (String name : List.of("audit.db", "audit.db-wal", "audit.db-shm")) {
                assertThat(Files.getPosixFilePermissions(dir.resolve("warden").resolve(name))).as(name)
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
        }
    }

    @Test
    void normalDurabilityAndNoWalLimitAreWhatTheyAsk() throws Exception {
        try (DatabaseFile db = files.open(own("otp").withDurability(Durability.NORMAL));
                Connection c = db.dataSource().getConnection()) {
            assertThat(pragma(c, "synchronous")).isEqualTo("1"); // NORMAL
            assertThat(pragma(c, "journal_size_limit")).isEqualTo("-1");
            assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
        }
    }

    @Test
    void withoutAPathTheFileIsNamedAfterItsOwnerUnderKarafData() throws Exception {
        String before = System.getProperty("karaf.data");
        System.setProperty("karaf.data", dir.toString());
        try (DatabaseFile db = files.open(Settings.of("lockout-state"))) {
            assertThat(db.file()).isEqualTo(dir.resolve("warden/lockout-state.db").toAbsolutePath());
            assertThat(Files.exists(db.file())).isTrue();
        } finally {
            if (before == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", before);
            }
        }
    }

    @Test
    void anExistingFileOpenToOthersIsMadePrivateWithItsCompanions() throws Exception {
        Path file = dir.resolve("copied.db");
        Files.createFile(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        Files.createFile(file.resolveSibling("copied.db-wal"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-r--r--")));
        try (DatabaseFile db = files.open(Settings.of("copied").withPath(file))) {
            for (String name : List.of("copied.db", "copied.db-wal")) {
                assertThat(Files.getPosixFilePermissions(dir.resolve(name))).as(name)
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
        }
    }

    @Test
    void migrationsRunInVersionOrderOnceEachInTheSchemaTableOfTheSharedDatabase() throws Exception {
        List<Migration> given = List.of(
                new Migration(2, "index", List.of("CREATE INDEX own_n ON own_rows (n)")),
                new Migration(1, "rows", List.of("CREATE TABLE own_rows (n INTEGER NOT NULL)")));
        Path file;
        try (DatabaseFile db = files.open(own("own"))) {
            file = db.file();
            db.migrate("own", given);
            db.migrate("own", given);
        }
        try (DatabaseFile db = files.open(own("own"))) {
            db.migrate("own", given);
            db.migrate("own", List.of(given.get(0), given.get(1),
                    new Migration(3, "more", List.of("ALTER TABLE own_rows ADD COLUMN m INTEGER"))));
            List<String> applied = Jdbi.create(db.dataSource()).withHandle(h -> h.createQuery(
                    "SELECT version || ':' || description FROM warden_schema WHERE owner = 'own' ORDER BY applied_at,"
                            + " version").mapTo(String.class).list());
            assertThat(applied).containsExactly("1:rows", "2:index", "3:more");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("INSERT INTO own_rows (n, m) VALUES (1, 2)");
        }
    }

    @Test
    void aFailedMigrationLeavesNothingOfItAndSaysWhichFailed() throws Exception {
        try (DatabaseFile db = files.open(own("broken"))) {
            List<Migration> migrations = List.of(
                    new Migration(1, "first table", List.of("CREATE TABLE first_t (n INTEGER)")),
                    new Migration(2, "second table and a typo", List.of("CREATE TABLE second_t (n INTEGER)",
                            "INSERT INTO second_t VALUES (1)", "CREATE TABLEX third_t (n INTEGER)")));
            assertThatThrownBy(() -> db.migrate("broken", migrations)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Migration broken v2 (second table and a typo) failed: ");
            Jdbi jdbi = Jdbi.create(db.dataSource());
            List<Integer> applied = jdbi.withHandle(h -> h.createQuery(
                    "SELECT version FROM warden_schema WHERE owner = 'broken'").mapTo(Integer.class).list());
            assertThat(applied).containsExactly(1);
            assertThat(tables(jdbi)).contains("first_t").doesNotContain("second_t", "third_t");

            assertThatThrownBy(() -> db.migrate("other", List.of(new Migration(1, "typo only",
                    List.of("CREATE TABLE fourth_t (n INTEGER)", "NOT SQL")))))
                    .hasMessageStartingWith("Migration other v1 (typo only) failed: ");
            assertThat(tables(jdbi)).doesNotContain("fourth_t");
            int other = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM warden_schema WHERE owner = 'other'")
                    .mapTo(Integer.class).one());
            assertThat(other).isZero();
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheSettingAndOpenNothing() {
        assertThatThrownBy(() -> Settings.of("audit").withPoolSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Pool size of database audit must be 1 to 32, was 0");
        assertThatThrownBy(() -> Settings.of("audit").withPoolSize(33)).hasMessageContaining("was 33");
        assertThatThrownBy(() -> Settings.of("audit").withBusyTimeoutMs(-1))
                .hasMessage("Busy timeout of database audit must be 0 to 600000 ms, was -1");
        assertThatThrownBy(() -> Settings.of("audit").withWalSizeLimitBytes(-2))
                .hasMessage("WAL size limit of database audit must be -1 (none) or 0 bytes or more, was -2");
        assertThatThrownBy(() -> Settings.of("../etc/passwd")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Database name '../etc/passwd' is not 1 to 32 of a-z, 0-9 and -, starting with a letter");
        assertThatThrownBy(() -> Settings.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SqliteDatabase(dir.resolve("w.db"), 5000, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Pool size");
        assertThat(dir.resolve("w.db")).doesNotExist();
    }

    @Test
    void aFileThatCannotBeCreatedIsAClearErrorAndLeavesNothingOpen() throws Exception {
        Path notAFolder = Files.createFile(dir.resolve("plain"));
        assertThatThrownBy(() -> files.open(Settings.of("x").withPath(notAFolder.resolve("x.db"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(notAFolder.toString());
        // nothing was left open: the same name opens once the path is right
        files.open(own("x")).close();
    }

    @Test
    void aFileOpenAlreadyIsNotOpenedTwiceAndAStoppedFactoryClosesWhatWasLeftOpen() throws Exception {
        DatabaseFile first = files.open(own("twice"));
        assertThatThrownBy(() -> files.open(own("twice"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is open already");
        files.close();
        assertThat(((SqliteFile) first).isClosed()).isTrue();
        assertThatThrownBy(() -> files.open(own("later"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stopped");
        first.close(); // twice: nothing happens
    }

    @Test
    void theSharedDatabaseIsOpenedLikeAnyOtherFile() throws Exception {
        SqliteDatabase shared = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        try (Connection c = shared.dataSource().getConnection()) {
            assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(c, "synchronous")).isEqualTo("2");
            assertThat(pragma(c, "foreign_keys")).isEqualTo("1");
            assertThat(pragma(c, "journal_size_limit")).isEqualTo("-1");
        } finally {
            shared.close();
        }
    }

    private static List<String> tables(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT name FROM sqlite_master WHERE type = 'table'")
                .mapTo(String.class).list());
    }

    private static String pragma(Connection c, String name) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
