package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.store.DatabaseFile;
import org.mqttwarden.api.store.DatabaseFiles;
import org.mqttwarden.store.SqliteDatabaseFiles;
import org.mqttwarden.testsupport.Configs;

/**
 * The audit asks warden-store for its file, and the file it gets keeps the audit's promises: private, WAL,
 * {@code synchronous=FULL}, the write-ahead log cut back after checkpoints, its migrations applied once, in
 * order, by the store's runner.
 */
class AuditFileTest {

    @TempDir
    Path dir;

    /** warden-store's real factory, remembering what it opened so the test can look at the pool's connections. */
    private final Opened files = new Opened();
    private final List<AuditLog> logs = new ArrayList<>();

    @AfterEach
    void close() {
        logs.forEach(AuditLog::close);
    }

    private AuditLog open(Map<String, Object> config) {
        AuditLog log = new AuditLog(Configs.of(AuditLog.Config.class, config), files);
        logs.add(log);
        return log;
    }

    @Test
    void theAuditFileIsOpenedByTheStoreWithTheAuditsDurability() throws Exception {
        Path file = dir.resolve("warden/audit.db");
        open(Map.of("path", file.toString(), "busy.timeout.ms", 7000));

        DatabaseFiles.Settings asked = files.settings.get(0);
        assertThat(asked.name()).isEqualTo("audit");
        assertThat(asked.durability()).isEqualTo(DatabaseFiles.Durability.FULL);
        assertThat(asked.poolSize()).isEqualTo(AuditFile.POOL_SIZE);
        assertThat(asked.busyTimeoutMs()).isEqualTo(7000);
        DatabaseFile db = files.opened.get(0);
        assertThat(db.file()).isEqualTo(file.toAbsolutePath());
        try (Connection c = db.dataSource().getConnection()) {
            assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(c, "synchronous")).isEqualTo("2"); // FULL: a commit is on disk when it returns
            assertThat(pragma(c, "journal_size_limit")).isEqualTo(String.valueOf(AuditFile.WAL_SIZE_LIMIT));
            assertThat(pragma(c, "busy_timeout")).isEqualTo("7000");
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("warden")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void withoutAPathTheFileIsAuditDbUnderKarafData() throws Exception {
        String before = System.getProperty("karaf.data");
        System.setProperty("karaf.data", dir.toString());
        try {
            open(Map.of("key.path", dir.resolve("audit.key").toString()));
            assertThat(files.opened.get(0).file()).isEqualTo(dir.resolve("warden/audit.db").toAbsolutePath());
        } finally {
            if (before == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", before);
            }
        }
    }

    @Test
    void theMigrationsAreAppliedOnceInOrderAcrossRestarts() throws Exception {
        Path file = dir.resolve("audit.db");
        open(Logs.base(file)).close();
        logs.clear();
        open(Logs.base(file));

        try (Connection c = Events.raw(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM warden_schema WHERE owner = 'audit' ORDER BY"
                        + " applied_at, version")) {
            List<Integer> versions = new ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
            assertThat(versions).containsExactly(1, 2);
        }
    }

    @Test
    void aBusyTimeoutOutOfRangeIsRefusedAndLeavesNothingOpen() {
        Map<String, Object> config = Logs.base(dir.resolve("audit.db"));
        config.put("busy.timeout.ms", -1);
        assertThatThrownBy(() -> open(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Busy timeout of database audit must be 0 to 600000 ms, was -1");
        assertThat(files.opened).isEmpty();
        assertThat(dir.resolve("audit.db")).doesNotExist();
    }

    @Test
    void anUnreadableKeyClosesTheFileItOpened() throws Exception {
        Path key = Files.writeString(dir.resolve("audit.db.key"), "not a key\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> open(Logs.base(dir.resolve("audit.db")))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not hold a key");
        assertThat(files.opened).hasSize(1);
        // closed: warden-store opens it again at once (it refuses a file that is still open)
        open(Map.of("path", dir.resolve("audit.db").toString(), "key.path", dir.resolve("other.key").toString()));
    }

    private static String pragma(Connection c, String name) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Delegates to one real {@link SqliteDatabaseFiles}, keeping what was asked and what it opened. */
    private static final class Opened implements DatabaseFiles {
        private final SqliteDatabaseFiles real = new SqliteDatabaseFiles();
        final List<Settings> settings = new ArrayList<>();
        final List<DatabaseFile> opened = new ArrayList<>();

        @Override
        public DatabaseFile open(Settings s) {
            settings.add(s);
            DatabaseFile f = real.open(s);
            opened.add(f);
            return f;
        }
    }
}
