package org.mqttwarden.store;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.mqttwarden.api.store.WardenDatabase;

/**
 * The same account store tests on a real PostgreSQL server, opened the way a fleet's gateway opens it: through
 * the store's configuration ({@code url}, {@code user}, {@code ssl.mode}), so the pool, timeouts and the
 * migration lock are the ones shipped.
 */
class PostgresAccountStoreTest extends AccountStoreContract {

    private static PostgresFixture pg;
    private String name;

    @BeforeAll
    static void startServer() throws Exception {
        pg = PostgresFixture.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        pg.close();
    }

    @Override
    protected WardenDatabase openDatabase() throws Exception {
        name = pg.createDatabase();
        return reopenDatabase();
    }

    @Override
    protected WardenDatabase reopenDatabase() {
        return pg.open(name, Map.of("pool.size", 2));
    }

    @Override
    protected void closeDatabase() {
        ((StoreDatabase) db).close();
    }
}
