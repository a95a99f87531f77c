package org.mqttwarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.api.store.WardenDatabase;

/** The account store on the default database: an SQLite file. */
class JdbiAccountStoreTest extends AccountStoreContract {

    @TempDir
    Path dir;

    @Override
    protected WardenDatabase openDatabase() {
        return new SqliteDatabase(dir.resolve("warden/warden.db"), 5000, 2);
    }

    @Override
    protected WardenDatabase reopenDatabase() {
        return openDatabase();
    }

    @Override
    protected void closeDatabase() {
        ((SqliteDatabase) db).close();
    }

    @Test
    void createsTheFileInAPrivateFolderInWalMode() throws Exception {
        assertThat(Files.getPosixFilePermissions(dir.resolve("warden")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void theFileAndItsWalAndShmArePrivateWhereverThePathPoints() throws Exception {
        // the test's folder, not one the store created
        SqliteDatabase elsewhere = new SqliteDatabase(dir.resolve("elsewhere.db"), 5000, 2);
        JdbiAccountStore other = new JdbiAccountStore(elsewhere);
        try {
            assertThat(other.insertAccount(account("dev1", "sensor"))).isTrue();
            for (String name : List.of("elsewhere.db", "elsewhere.db-wal", "elsewhere.db-shm")) {
                assertThat(Files.getPosixFilePermissions(dir.resolve(name))).as(name)
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
        } finally {
            other.close();
            elsewhere.close();
        }
    }

    @Test
    void takesOthersPermissionsAwayFromAnExistingFileAndItsCompanions() throws Exception {
        Path file = dir.resolve("copied.db");
        try (Connection c = sqlite(file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE unrelated (x INTEGER)");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        // an empty write-ahead log left beside it: SQLite would go on writing pages into it as it is
        Files.createFile(dir.resolve("copied.db-wal"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-r--r--")));
        SqliteDatabase copied = new SqliteDatabase(file, 5000, 2);
        JdbiAccountStore other = new JdbiAccountStore(copied);
        try {
            assertThat(other.insertAccount(account("dev1", "sensor"))).isTrue();
            for (String name : List.of("copied.db", "copied.db-wal", "copied.db-shm")) {
                assertThat(Files.getPosixFilePermissions(dir.resolve(name))).as(name)
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
        } finally {
            other.close();
            copied.close();
        }
    }

    @Test
    void anEditByAnotherProcessMovesTheRevisionWithinSeconds() throws Exception {
        store.insertAccount(account("dev1", "sensor"));
        // take in our own insert now, so that only the other process's edit can move the revision below
        store.outsideChanges().poll();
        long before = store.revision();
        try (Connection c = sqlite(file()); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE warden_account SET enabled = 0 WHERE username = 'dev1'");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> store.revision() != before);
        assertThat(store.findAccount("dev1")).get().extracting(StoredAccount::enabled).isEqualTo(false);
    }

    @Test
    void writesToOtherTablesMoveNothingWhileEachAccountTableDoes() throws Exception {
        JdbiAccountStore watched = new JdbiAccountStore(db, Duration.ofHours(1));
        try (Connection c = sqlite(file()); Statement s = c.createStatement()) {
            long start = watched.revision();
            s.execute("CREATE TABLE other_bundle (k INTEGER)");
            s.execute("INSERT INTO other_bundle VALUES (1)");
            watched.outsideChanges().poll();
            assertThat(watched.revision()).isEqualTo(start);

            List<String> edits = List.of(
                    "INSERT INTO warden_role (name, superuser, built_in, description) VALUES ('ops', TRUE, FALSE, '')",
                    "INSERT INTO warden_account (username, password_hash, enabled, created_at, updated_at)"
                            + " VALUES ('eve', 'x', TRUE, 0, 0)",
                    "INSERT INTO warden_account_role (username, role) VALUES ('eve', 'ops')",
                    "UPDATE warden_acl_rule SET permission = 'DENY' WHERE id = 1",
                    "DELETE FROM warden_account_role WHERE username = 'eve'");
            for (String edit : edits) {
                long was = watched.revision();
                s.executeUpdate(edit);
                watched.outsideChanges().poll();
                assertThat(watched.revision()).as(edit).isGreaterThan(was);
            }
        } finally {
            watched.close();
        }
    }

    @Test
    void ourOwnWritesMoveTheRevisionOnceNotAgainWhenTheWatcherSeesThemButAnEditAfterThemDoes() throws Exception {
        JdbiAccountStore watched = new JdbiAccountStore(db, Duration.ofHours(1));
        try (Connection c = sqlite(file()); Statement s = c.createStatement()) {
            watched.insertAccount(account("dev2", "sensor"));
            watched.updateEnabled("dev2", false, java.time.Instant.now());
            long afterOwn = watched.revision();
            watched.outsideChanges().poll();
            assertThat(watched.revision()).as("caches (remembered logins) not dropped a second time")
                    .isEqualTo(afterOwn);

            watched.updateEnabled("dev2", true, java.time.Instant.now());
            s.executeUpdate("UPDATE warden_account SET enabled = 0 WHERE username = 'dev2'");
            long beforePoll = watched.revision();
            watched.outsideChanges().poll();
            assertThat(watched.revision()).as("an edit made after our write").isGreaterThan(beforePoll);
            assertThat(watched.findAccount("dev2")).get().extracting(StoredAccount::enabled).isEqualTo(false);
        } finally {
            watched.close();
        }
    }

    @Test
    void aFileReplacedUnderTheGatewayIsReportedAndNotOpened() throws Exception {
        store.insertAccount(account("dev1", "sensor"));
        JdbiAccountStore watched = new JdbiAccountStore(db, Duration.ofHours(1));
        try {
            Path restored = dir.resolve("restored.db");
            try (Connection c = sqlite(restored); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE from_a_backup (x INTEGER)");
            }
            long before = watched.revision();
            Files.move(restored, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            watched.outsideChanges().poll();
            assertThat(watched.outsideChanges().replaced()).isTrue();
            assertThat(watched.revision()).isGreaterThan(before);
            // the gateway goes on with the file it opened until it restarts, and opens nothing beside it
            assertThat(watched.findAccount("dev1")).isPresent();
            assertThatThrownBy(() -> ((SqliteDatabase) db).openUnpooledConnection().close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("replaced");
        } finally {
            watched.close();
        }
        // the old file's write-ahead log (holding dev1) goes with it: the restored file opens as it is
        closeDatabase();
        assertThat(dir.resolve("warden/warden.db-wal")).doesNotExist();
        assertThat(dir.resolve("warden/warden.db-shm")).doesNotExist();
        db = reopenDatabase();
        store = new JdbiAccountStore(db);
        assertThat(store.findAccount("dev1")).isEmpty();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ok");
            assertThat(s.executeQuery("SELECT COUNT(*) FROM from_a_backup").next()).isTrue();
        }
    }

    @Test
    void aFileWrittenWithoutACommitDropsTheCaches() throws Exception {
        JdbiAccountStore watched = new JdbiAccountStore(db, Duration.ofHours(1));
        try {
            watched.outsideChanges().poll();
            long before = watched.revision();
            Files.setLastModifiedTime(file(), FileTime.fromMillis(Files.getLastModifiedTime(file()).toMillis()
                    + 3_600_000));
            watched.outsideChanges().poll();
            assertThat(watched.outsideChanges().replaced()).isFalse();
            assertThat(watched.revision()).isGreaterThan(before);
        } finally {
            watched.close();
        }
    }

    @Test
    void theWatcherStopsWithTheDatabase() throws Exception {
        closeDatabase();
        store.outsideChanges().poll();
        long after = store.revision();
        store.outsideChanges().poll();
        assertThat(store.revision()).isEqualTo(after);
        db = openDatabase();
    }

    private Path file() {
        return dir.resolve("warden/warden.db");
    }

    private static Connection sqlite(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }
}
