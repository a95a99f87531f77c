package org.mqttwarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.store.WardenDatabase.Migration;
import org.mqttwarden.testsupport.Configs;

/** The store's component with no {@code url}: the embedded SQLite file, as before PostgreSQL was an option. */
class StoreDatabaseTest {

    @TempDir
    Path dir;

    private StoreDatabase sqlite(Map<String, ?> config) {
        return new StoreDatabase(Configs.of(StoreDatabase.Config.class, config));
    }

    @Test
    void withoutUrlItOpensTheSqliteFileAtPathAndWatchesItForOutsideChanges() {
        StoreDatabase db = sqlite(Map.of("path", dir.resolve("w.db").toString(), "pool.size", 2));
        try {
            assertThat(db.backend()).isInstanceOf(SqliteDatabase.class);
            assertThat(db.describe()).isEqualTo("sqlite:" + dir.resolve("w.db").toAbsolutePath());
            JdbiAccountStore store = new JdbiAccountStore(db);
            assertThat(store.outsideChanges()).isNotNull();
            assertThat(store.changesHeard()).isEqualTo("SQLite file checked every 1000 ms for other processes'"
                    + " edits");
            store.close();
            StoreStatus status = db.status();
            assertThat(status.backend()).isEqualTo("sqlite");
            assertThat(status.schema()).isEqualTo(Map.of("store", 1));
            assertThat(status.pool().max()).isEqualTo(2);
            assertThat(status.lines()).contains("Backend:     sqlite", "Schema:      store v1");
        } finally {
            db.close();
        }
    }

    @Test
    void aSchemaNewerThanTheGatewayKnowsIsRefusedOnSqliteTooAndLeftUntouched() throws Exception {
        Map<String, String> config = Map.of("path", dir.resolve("w.db").toString());
        List<Migration> newer = List.of(new Migration(1, "t", List.of("CREATE TABLE t (x INTEGER)")),
                new Migration(2, "row", List.of("INSERT INTO t (x) VALUES (7)")));
        StoreDatabase db = sqlite(config);
        try {
            db.migrate("thing", newer);
        } finally {
            db.close();
        }
        StoreDatabase older = sqlite(config);
        try {
            List<String> before = rows(older);
            assertThatThrownBy(() -> older.migrate("thing", newer.subList(0, 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("The database holds schema version 2 of thing, newer than the 1 this gateway knows:"
                            + " the gateway is older than its database, upgrade it (nothing was changed)");
            assertThat(rows(older)).isEqualTo(before).hasSize(2);
        } finally {
            older.close();
        }
    }

    @Test
    void aPostgresqlPasswordFileIsNotReadWhenNoUrlIsSet() {
        // password.file belongs to PostgreSQL: an SQLite gateway starts whatever it names
        StoreDatabase db = sqlite(Map.of("path", dir.resolve("w.db").toString(), "password.file",
                dir.resolve("missing").toString()));
        db.close();
    }

    private static List<String> rows(StoreDatabase db) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT owner, version, applied_at FROM warden_schema ORDER BY version")) {
            while (rs.next()) {
                out.add(rs.getString(1) + rs.getInt(2) + "@" + rs.getLong(3));
            }
        }
        return out;
    }
}
