package org.mqttwarden.store;

import java.nio.file.Path;
import java.util.List;

import javax.sql.DataSource;

import org.mqttwarden.api.store.WardenDatabase;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The Warden database as configured (PID {@code org.mqttwarden.store}): the embedded SQLite file at
 * {@code path} when {@code url} is empty (the default, for a single gateway), or a PostgreSQL server shared by
 * a fleet when {@code url} is {@code jdbc:postgresql://…}. Switching is a configuration change, which restarts
 * this component and every component using the database; data is not copied from one to the other. A
 * configuration that is wrong is refused in one sentence naming the setting: the component does not start.
 */
@Component(service = WardenDatabase.class, configurationPid = "org.mqttwarden.store")
@Designate(ocd = StoreDatabase.Config.class)
public final class StoreDatabase implements WardenDatabase {

    @ObjectClassDefinition(name = "MQTT Warden store", description = "The database holding accounts, roles, ACL rules"
            + " and the state of other Warden bundles: an embedded SQLite file, or a PostgreSQL server a fleet"
            + " of gateways shares.")
    public @interface Config {
        @AttributeDefinition(description = "Empty: the embedded SQLite file at path. jdbc:postgresql://host:port/db:"
                + " that PostgreSQL database.")
        String url() default "";

        @AttributeDefinition(description = "Path of the SQLite file. Empty: ${karaf.data}/warden/warden.db.")
        String path() default "";

        @AttributeDefinition(description = "SQLite: how long a connection waits for a lock held by another writer,"
                + " in ms.", min = "100", max = "60000")
        int busy_timeout_ms() default 5000;

        @AttributeDefinition(description = "Connections at most (SQLite: kept open).", min = "1", max = "32")
        int pool_size() default 4;

        @AttributeDefinition(description = "PostgreSQL: the role to log in as. Empty: the url's user parameter,"
                + " else the gateway's OS user.")
        String user() default "";

        @AttributeDefinition(description = "PostgreSQL: the role's password. Prefer password.file.",
                type = AttributeType.PASSWORD)
        String password() default "";

        @AttributeDefinition(description = "PostgreSQL: a file whose first line is the password; only its owner"
                + " may read it (mode 600 or 400), else the store does not start.")
        String password_file() default "";

        @AttributeDefinition(description = "PostgreSQL: pgjdbc's sslmode. verify-full checks the server's"
                + " certificate and name against ssl.root.cert: keep it for a server on another host.",
                options = {@Option(value = "verify-full"), @Option(value = "verify-ca"), @Option(value = "require"),
                    @Option(value = "prefer"), @Option(value = "allow"), @Option(value = "disable")})
        String ssl_mode() default "verify-full";

        @AttributeDefinition(description = "PostgreSQL: the CA certificate (PEM) verify-ca and verify-full check"
                + " the server with. Empty: ~/.postgresql/root.crt of the gateway's OS user.")
        String ssl_root_cert() default "";

        @AttributeDefinition(description = "PostgreSQL: longest wait for a connection (pool, TCP connect, login),"
                + " in ms.", min = "250", max = "60000")
        int connect_timeout_ms() default 2000;

        @AttributeDefinition(description = "PostgreSQL: longest wait for an answer from the server, in seconds:"
                + " a decision never waits longer on a database that stopped answering.", min = "1", max = "600")
        int query_timeout_seconds() default 3;
    }

    /** A database behind this component, with what {@code warden:store-status} shows of it. */
    interface Backend extends WardenDatabase, AutoCloseable {

        /** @return the status now; never throws (a failure to read is part of it) */
        StoreStatus status();

        @Override
        void close();
    }

    private final Backend backend;

    /**
     * @throws IllegalArgumentException naming the setting that is wrong; nothing is opened
     * @throws IllegalStateException when the SQLite file cannot be created or made private
     */
    @Activate
    public StoreDatabase(Config config) {
        this.backend = open(config);
    }

    private static Backend open(Config config) {
        String url = config.url().trim();
        if (url.isEmpty()) {
            return new SqliteDatabase(SqliteDatabase.resolve(config.path()), config.busy_timeout_ms(),
                    config.pool_size());
        }
        if (!config.password_file().isBlank() && !config.password().isEmpty()) {
            throw new IllegalArgumentException("Set password or password.file, not both");
        }
        try {
            String password = config.password_file().isBlank() ? config.password()
                    : PostgresDatabase.readPasswordFile(Path.of(config.password_file().trim()));
            return new PostgresDatabase(new PostgresDatabase.Settings(url, config.user().trim(), password,
                    config.ssl_mode().trim(), config.ssl_root_cert().trim(), config.pool_size(),
                    config.connect_timeout_ms(), config.query_timeout_seconds()));
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("url names a PostgreSQL database but the PostgreSQL driver (bundle"
                    + " org.postgresql.jdbc) is not installed");
        }
    }

    @Deactivate
    public void close() {
        backend.close();
    }

    /** @return the database this component opened: a {@link SqliteDatabase} or a PostgreSQL one */
    WardenDatabase backend() {
        return backend;
    }

    /** @return what {@code warden:store-status} prints; reading it waits at most the connect timeout */
    public StoreStatus status() {
        return backend.status();
    }

    @Override
    public DataSource dataSource() {
        return backend.dataSource();
    }

    @Override
    public String describe() {
        return backend.describe();
    }

    @Override
    public void migrate(String owner, List<Migration> migrations) {
        backend.migrate(owner, migrations);
    }

    /** @return the SQLite database behind {@code database}, or null when it is another (PostgreSQL) */
    static SqliteDatabase sqlite(WardenDatabase database) {
        if (database instanceof SqliteDatabase s) {
            return s;
        }
        if (database instanceof StoreDatabase c && c.backend instanceof SqliteDatabase s) {
            return s;
        }
        return null;
    }

    /** @return the PostgreSQL database behind {@code database}, or null when it is another (SQLite) */
    static PostgresDatabase postgres(WardenDatabase database) {
        if (database instanceof PostgresDatabase p) {
            return p;
        }
        if (database instanceof StoreDatabase c && c.backend instanceof PostgresDatabase p) {
            return p;
        }
        return null;
    }
}
