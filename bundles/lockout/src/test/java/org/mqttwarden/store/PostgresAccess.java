package org.mqttwarden.store;

/** warden-store's throwaway {@link PostgresServer} (package-private, from its test-jar), for warden-lockout's tests. */
public final class PostgresAccess implements AutoCloseable {

    private final PostgresServer server;

    private PostgresAccess(PostgresServer server) {
        this.server = server;
    }

    public static PostgresAccess start() throws Exception {
        return new PostgresAccess(PostgresServer.start());
    }

    public String url() {
        return server.url();
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
