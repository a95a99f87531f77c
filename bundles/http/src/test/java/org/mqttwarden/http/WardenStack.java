package org.mqttwarden.http;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;

/**
 * The real components behind the go-auth endpoints, wired as DS would wire them: a SQLite file, the
 * Jdbi store, warden-auth's stack ({@link AuthStack}), plus the servers started on top.
 */
final class WardenStack implements AutoCloseable {

    static final String ACTOR = "test";

    final SqliteDatabase database;
    final JdbiAccountStore store;
    final AuthStack auth;
    final Authenticator authenticator;
    final Authorizer authorizer;
    final MetricSource metrics;
    final AccountService accounts;
    private final List<GoAuthServer> servers = new ArrayList<>();

    /** @param auth properties of {@code org.mqttwarden.auth} over {@link AuthStack#FAST} (cheap bcrypt) */
    WardenStack(Path dir, Map<String, ?> auth) {
        this.database = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        this.store = new JdbiAccountStore(database);
        this.auth = AuthStack.on(store, auth);
        this.authenticator = this.auth.authenticator();
        this.authorizer = this.auth.authorizer();
        this.metrics = this.auth.metrics();
        this.accounts = this.auth.accounts();
    }

    static WardenStack open(Path dir) {
        return new WardenStack(dir, Map.of());
    }

    /** Starts a server on this stack; {@link #close()} stops it. */
    GoAuthServer serve(HttpSettings settings) {
        return serve(settings, CallerSettings.off());
    }

    /** Starts a server that checks its callers; {@link #close()} stops it. */
    GoAuthServer serve(HttpSettings settings, CallerSettings callers) {
        GoAuthServer server = new GoAuthServer(settings, callers, authenticator, authorizer, database);
        servers.add(server);
        return server;
    }

    /** Stops one server now, as DS does before reactivating it with a new configuration. */
    void stop(GoAuthServer server) {
        if (servers.remove(server)) {
            server.stop();
        }
    }

    /** Binds an event sink to the decisions, as DS binds warden-audit's. */
    void bind(EventSink sink) {
        auth.sink(sink);
    }

    void account(String username, String password, String role) {
        accounts.createAccount(username, password, Set.of(role), null, ACTOR);
    }

    void accountRule(String username, String filter, Permission permission) {
        accounts.addRule(new AclRule(0, SubjectType.ACCOUNT, username, filter, permission, "test"), ACTOR);
    }

    @Override
    public void close() {
        for (GoAuthServer server : servers) {
            server.stop();
        }
        servers.clear();
        database.close();
    }
}
