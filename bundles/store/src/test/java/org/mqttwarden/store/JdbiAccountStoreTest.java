package org.mqttwarden.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

}
