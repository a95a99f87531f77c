package org.mqttwarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.testsupport.TestPki;

/**
 * {@code ssl.mode = verify-full}, the default, against a PostgreSQL server with TLS on: the store talks to the
 * server its CA vouches for under the name in {@code url}, and to no other (a server with a certificate from
 * another CA, or for another name, as a man in the middle would present).
 */
class PostgresTlsTest {

    private static PostgresFixture pg;
    private static TestPki pki;
    private static String database;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startServerWithTls() throws Exception {
        pg = PostgresFixture.start();
        pki = TestPki.create("pg");
        TestPki.Issued server = pki.server("127.0.0.1");
        Path data = pg.server.folder().resolve("data");
        Path cert = server.writeChainPem(data);
        Path key = server.writeKeyPem(data);
        if ("root".equals(System.getProperty("user.name"))) {
            UserPrincipal postgres = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(
                    "postgres");
            Files.setOwner(cert, postgres);
            Files.setOwner(key, postgres);
        }
        pg.superuser("ALTER SYSTEM SET ssl_cert_file = '" + cert + "'");
        pg.superuser("ALTER SYSTEM SET ssl_key_file = '" + key + "'");
        pg.superuser("ALTER SYSTEM SET ssl = on");
        pg.superuser("SELECT pg_reload_conf()");
        database = pg.createDatabase();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            var ds = pg.source(database);
            ds.setSslMode("require");
            try (Connection c = ds.getConnection()) {
                return true;
            }
        });
    }

    @AfterAll
    static void stopServer() throws Exception {
        pg.close();
    }

    private static StoreDatabase verifyFull(String url, Path ca) {
        return new StoreDatabase(org.mqttwarden.testsupport.Configs.of(StoreDatabase.Config.class,
                Map.of("url", url, "user", "warden", "ssl.root.cert", ca.toString())));
    }

    @Test
    void verifyFullTalksOverTlsToTheServerItsCaVouchesFor() throws Exception {
        StoreDatabase db = verifyFull(pg.url(database), pki.writeCaPem(dir));
        try {
            new JdbiAccountStore(db);
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
            }
        } finally {
            db.close();
        }
    }

    @Test
    void verifyFullRefusesAServerCertificateFromAnotherCa() {
        StoreDatabase db = verifyFull(pg.url(database), TestPki.create("other").writeCaPem(dir));
        try {
            assertThatThrownBy(() -> new JdbiAccountStore(db)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Cannot reach the database");
            assertThat(db.status().lastError()).contains("ssl.root.cert");
        } finally {
            db.close();
        }
    }

    @Test
    void verifyFullRefusesACertificateForAnotherName() {
        // the certificate names 127.0.0.1; the url names localhost, the same server under a name it has no proof of
        StoreDatabase db = verifyFull(pg.url(database).replace("127.0.0.1", "localhost"), pki.writeCaPem(dir));
        try {
            assertThatThrownBy(() -> new JdbiAccountStore(db)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Cannot reach the database postgresql://localhost:");
            assertThat(db.status().lastError()).containsIgnoringCase("hostname");
        } finally {
            db.close();
        }
    }
}
