package org.mqttwarden.store;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.testsupport.PostgresServer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The same account store SQL on a real PostgreSQL server: fleets of gateways will share one, switched
 * by configuration, so every statement must run there unchanged.
 */
class PostgresAccountStoreTest extends AccountStoreContract {

    private static PostgresServer server;
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private String name;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Override
    protected WardenDatabase openDatabase() throws Exception {
        name = "warden_" + DATABASES.incrementAndGet();
        try (Connection c = source("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return reopenDatabase();
    }

    @Override
    protected WardenDatabase reopenDatabase() {
        DataSource ds = source(name);
        Migrator migrator = new Migrator(Jdbi.create(ds));
        return new WardenDatabase() {
            @Override
            public DataSource dataSource() {
                return ds;
            }

            @Override
            public String describe() {
                return "postgresql:" + name;
            }

            @Override
            public void migrate(String owner, List<Migration> migrations) {
                migrator.migrate(owner, migrations);
            }
        };
    }

    @Override
    protected void closeDatabase() {
        // PGSimpleDataSource holds no connections.
    }

    private static PGSimpleDataSource source(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(server.url().replace("/postgres?", "/" + database + "?"));
        return ds;
    }
}
