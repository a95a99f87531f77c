package org.mqttwarden.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.PostgresServer;
import org.mqttwarden.testsupport.TestClock;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The key store's SQL, unchanged, on a real PostgreSQL server (fleets of gateways share one) and on a SQLite file:
 * the same keys, states and refusals, and the partial unique index that allows one encrypting key per prefix. Like
 * the other bundles' portability tests, it fails rather than skips where the server binaries are missing.
 */
class KeySqlPortabilityTest {

    private static final byte[] SEALING_KEY = HexFormat.of().parseHex(
            "8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
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
                    s.execute("SELECT 1 FROM warden_crypto_key WHERE 1 = 0");
                    return; // migrated already: this test's second store on the same database
                } catch (java.sql.SQLException absent) {
                    // not yet
                }
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

    private static void roundTrip(WardenDatabase db) {
        TestClock clock = new TestClock();
        GatewayKeyStore keys = new GatewayKeyStore(db, SEALING_KEY.clone(), Configs.of(CryptoConfig.class, Map.of()),
                clock, new SecureRandom());
        String plant = keys.create("plant");
        String all = keys.create("");
        String line = keys.create("plant/émile ✓");
        assertThatThrownBy(() -> keys.create("plant")).hasMessageContaining("has a key already");
        assertThat(keys.encryptionKey("plant/émile ✓/t").orElseThrow().keyId()).isEqualTo(line);
        clock.advance(Duration.ofMinutes(5));
        String plant2 = keys.rotate("plant");
        assertThatThrownBy(() -> keys.rotate("nothing")).hasMessageContaining("no key to rotate");

        GatewayKeyStore again = new GatewayKeyStore(db, SEALING_KEY.clone(), Configs.of(CryptoConfig.class,
                Map.of()), clock, new SecureRandom());
        assertThat(again.list()).extracting(KeyInfo::keyId, KeyInfo::prefix, KeyInfo::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple(all, "", KeyState.ENCRYPTING),
                org.assertj.core.groups.Tuple.tuple(plant, "plant", KeyState.DECRYPT_ONLY),
                org.assertj.core.groups.Tuple.tuple(plant2, "plant", KeyState.ENCRYPTING),
                org.assertj.core.groups.Tuple.tuple(line, "plant/émile ✓", KeyState.ENCRYPTING));
        assertThat(again.encryptionKey("plant/x").orElseThrow().keyId()).isEqualTo(plant2);
        assertThat(again.find(plant)).isPresent();
        clock.advance(Duration.ofDays(7));
        assertThat(again.find(plant)).isEmpty();
        assertThat(again.list().get(1).state()).isEqualTo(KeyState.RETIRED);

        // the database itself refuses a second encrypting key for a prefix (two gateways racing)
        assertThatThrownBy(() -> Jdbi.create(db.dataSource()).useHandle(h -> h.execute(
                "INSERT INTO warden_crypto_key (key_id, prefix, sealed, created_at) VALUES ('x', 'plant', 'v1:', 0)")))
                .hasMessageContaining("warden_crypto_key");
    }

    @Test
    void theKeySqlRunsOnPostgresql() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(server.url());
        roundTrip(plain(ds));
    }

    @Test
    void theKeySqlRunsOnSqlite() {
        SqliteDatabase db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 1);
        try {
            roundTrip(db);
        } finally {
            db.close();
        }
    }
}
