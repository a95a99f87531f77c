package org.mqttwarden.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import javax.sql.DataSource;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.store.files.PrivateFiles;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The Warden database on a PostgreSQL server shared by a fleet of gateways: pgjdbc's data source behind
 * HikariCP. Every wait is bounded, so a decision never hangs on a dead database: a connection is had within
 * {@code connect.timeout.ms} or refused (the pool's wait, TCP connect and login), a connection idle for a
 * moment is checked before it is lent, and a statement waits at most {@code query.timeout.seconds} on the
 * network. The pool opens nothing when started, so a gateway whose database is down at boot still starts its
 * store; the first use says why it cannot connect.
 *
 * <p>The password (from {@code password} or the first line of {@code password.file}) is given to pgjdbc and
 * nowhere else: {@link #describe()} shows the server and database only, and a connection failure whose text
 * held it anyway would have it masked.
 */
final class PostgresDatabase implements StoreDatabase.Backend {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresDatabase.class);

    static final String PREFIX = "jdbc:postgresql://";
    static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /**
     * The settings of a PostgreSQL database.
     *
     * @param url {@code jdbc:postgresql://host[:port]/database[?parameters]}
     * @param user the role to log in as; empty: the URL's {@code user}, else pgjdbc's default (the OS user)
     * @param password the password, or empty (the URL's, or none)
     * @param sslMode pgjdbc's {@code sslmode}
     * @param sslRootCert the CA certificate file {@code verify-ca}/{@code verify-full} check the server with;
     *     empty: pgjdbc's default ({@code ~/.postgresql/root.crt} of the gateway's OS user)
     * @param poolSize connections at most, 1 to 32
     * @param connectTimeoutMs longest wait for a connection, 250 to 60000
     * @param queryTimeoutSeconds longest wait on the network for an answer, 1 to 600
     */
    record Settings(String url, String user, String password, String sslMode, String sslRootCert, int poolSize,
            int connectTimeoutMs, int queryTimeoutSeconds) {

        /** Mentions no password: a record's generated text would. */
        @Override
        public String toString() {
            return "Settings[" + sanitize(url) + ", user " + user + ", ssl.mode " + sslMode + "]";
        }
    }

    private final String location;
    private final String password;
    private final PGSimpleDataSource source;
    private final HikariDataSource pool;
    private final Migrator migrator;
    private final int connectTimeoutMs;
    private volatile String lastError;
    private volatile Instant lastErrorAt;

    /**
     * Starts the pool; connects on first use.
     *
     * @throws IllegalArgumentException naming the setting that is wrong; nothing is started
     */
    PostgresDatabase(Settings settings) {
        Properties parsed = parse(settings.url());
        this.location = sanitize(settings.url());
        String urlMode = parsed.getProperty("sslmode");
        if (!SSL_MODES.contains(settings.sslMode())) {
            throw new IllegalArgumentException("ssl.mode must be one of disable, allow, prefer, require, verify-ca,"
                    + " verify-full, not '" + settings.sslMode() + "'");
        }
        if (urlMode != null && !urlMode.equals(settings.sslMode())) {
            throw new IllegalArgumentException("url asks for sslmode=" + urlMode + " but ssl.mode is "
                    + settings.sslMode() + ": set it in ssl.mode only");
        }
        if (settings.poolSize() < 1 || settings.poolSize() > 32) {
            throw new IllegalArgumentException("pool.size must be 1 to 32, was " + settings.poolSize());
        }
        if (settings.connectTimeoutMs() < 250 || settings.connectTimeoutMs() > 60000) {
            throw new IllegalArgumentException("connect.timeout.ms must be 250 to 60000, was "
                    + settings.connectTimeoutMs());
        }
        if (settings.queryTimeoutSeconds() < 1 || settings.queryTimeoutSeconds() > 600) {
            throw new IllegalArgumentException("query.timeout.seconds must be 1 to 600, was "
                    + settings.queryTimeoutSeconds());
        }
        this.connectTimeoutMs = settings.connectTimeoutMs();
        String pw = settings.password().isEmpty() ? parsed.getProperty("password", "") : settings.password();
        this.password = pw;
        this.source = new PGSimpleDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                try {
                    return super.getConnection();
                } catch (SQLException e) {
                    throw failed(e);
                }
            }
        };
        source.setUrl(settings.url());
        if (!settings.user().isEmpty()) {
            source.setUser(settings.user());
        }
        if (!settings.password().isEmpty()) {
            source.setPassword(settings.password());
        }
        source.setSslMode(settings.sslMode());
        if (!settings.sslRootCert().isEmpty()) {
            source.setSslRootCert(settings.sslRootCert());
        }
        int connectSeconds = (settings.connectTimeoutMs() + 999) / 1000;
        source.setConnectTimeout(connectSeconds);
        source.setLoginTimeout(connectSeconds);
        source.setSocketTimeout(settings.queryTimeoutSeconds());
        source.setTcpKeepAlive(true);
        source.setApplicationName("mqtt-warden");
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("warden-store");
        hikari.setDataSource(source);
        hikari.setMaximumPoolSize(settings.poolSize());
        // a fleet shares the server's max_connections: an idle gateway keeps one open
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(settings.connectTimeoutMs());
        hikari.setValidationTimeout(Math.max(250, settings.connectTimeoutMs() / 2));
        hikari.setKeepaliveTime(30_000);
        hikari.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(hikari);
        this.migrator = new Migrator(Jdbi.create(pool), true);
        LOG.info("Warden database at {} (user {}, ssl.mode {}, pool {}, connect timeout {} ms, query timeout {} s)",
                location, settings.user().isEmpty() ? parsed.getProperty("user", "(OS user)") : settings.user(),
                settings.sslMode(), settings.poolSize(), settings.connectTimeoutMs(), settings.queryTimeoutSeconds());
    }

    @Override
    public DataSource dataSource() {
        return pool;
    }

    /**
     * @return a new connection outside the pool, for a caller that keeps it (the listener of
     *     {@link PostgresChanges}): a session that waits for notifications must not hold one of the connections
     *     decisions are answered with. Same settings and bounded waits as the pool's.
     * @throws SQLException when the server cannot be reached or refuses the login (masked, recorded as last error)
     */
    Connection openUnpooledConnection() throws SQLException {
        if (pool.isClosed()) {
            throw new SQLException("The database " + location + " is closed");
        }
        return source.getConnection();
    }

    /** @return true once {@link #close()} has run */
    boolean isClosed() {
        return pool.isClosed();
    }

    /** @return {@code postgresql://host:port/database}, without user, password or other parameters */
    @Override
    public String describe() {
        return location;
    }

    /**
     * @throws IllegalStateException when the database cannot be reached (why, in one sentence), holds a newer
     *     schema, or a step fails
     */
    @Override
    public void migrate(String owner, List<Migration> migrations) {
        try {
            migrator.migrate(owner, migrations);
        } catch (org.jdbi.v3.core.ConnectionException e) {
            throw new IllegalStateException("Cannot reach the database " + location + " within "
                    + connectTimeoutMs + " ms to migrate " + owner + ": " + reason(e), e);
        }
    }

    @Override
    public StoreStatus status() {
        Map<String, Integer> schema = Map.of();
        String schemaError = null;
        try {
            schema = migrator.versions();
        } catch (RuntimeException e) {
            schemaError = mask(String.valueOf(e.getMessage()));
        }
        return new StoreStatus("postgresql", location, schema, schemaError, StoreStatus.Pool.of(pool), lastError,
                lastErrorAt);
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * Records a failure to connect (masked) and returns what to throw: the exception itself, or, should its
     * text hold the password, one of the same SQL state without it.
     */
    private SQLException failed(SQLException e) {
        String text = mask(String.valueOf(e.getMessage()));
        String hint = "";
        if (text.contains("does not support SSL")) {
            hint = " (the server offers no TLS: turn ssl on in its postgresql.conf; ssl.mode = disable only for a"
                    + " database on this host)";
        } else if (text.contains("SSL") || text.contains("certificate")) {
            hint = " (ssl.mode verify-full needs the server's CA in ssl.root.cert and a certificate for the host"
                    + " named in url)";
        }
        lastError = text + hint;
        lastErrorAt = Instant.now();
        return text.equals(e.getMessage()) ? e : new SQLException(text, e.getSQLState());
    }

    /** @return the last connection failure, else the innermost message of {@code e}; masked */
    private String reason(Throwable e) {
        if (lastError != null) {
            return lastError;
        }
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return mask(String.valueOf(t.getMessage()));
    }

    private String mask(String text) {
        return password.isEmpty() ? text : text.replace(password, "********");
    }

    /**
     * @return the URL's properties as pgjdbc reads them
     * @throws IllegalArgumentException when it is not a PostgreSQL URL (the URL is not repeated: it may hold a
     *     password)
     */
    static Properties parse(String url) {
        Properties p = url.startsWith(PREFIX) ? Driver.parseURL(url, null) : null;
        if (p == null) {
            throw new IllegalArgumentException("url must be empty (the SQLite file at path) or"
                    + " jdbc:postgresql://host:port/database");
        }
        return p;
    }

    /** @return {@code postgresql://host:port/database} of {@code url}, nothing else from it */
    static String sanitize(String url) {
        Properties p = Driver.parseURL(url, null);
        if (p == null) {
            return "postgresql:(invalid url)";
        }
        String[] hosts = p.getProperty("PGHOST", "").split(",");
        String[] ports = p.getProperty("PGPORT", "").split(",");
        StringBuilder out = new StringBuilder("postgresql://");
        for (int i = 0; i < hosts.length; i++) {
            out.append(i > 0 ? "," : "").append(hosts[i]).append(':').append(i < ports.length ? ports[i] : "5432");
        }
        return out.append('/').append(p.getProperty("PGDBNAME", "")).toString();
    }

    /**
     * @return the first line of {@code file}, which only its owner may read
     * @throws IllegalArgumentException when it is not a regular file, group or others have any permission on
     *     it, or its first line is empty
     */
    static String readPasswordFile(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("password.file " + file + " is not a readable regular file");
            }
            Optional<String> open = PrivateFiles.openMode(file);
            if (open.isPresent()) {
                throw new IllegalArgumentException("password.file " + file + " has mode " + open.get()
                        + ": only its owner may read it, chmod 600 it (or 400)");
            }
            String line;
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                line = in.readLine();
            }
            if (line == null || line.isEmpty()) {
                throw new IllegalArgumentException("password.file " + file + " is empty: its first line is the"
                        + " password");
            }
            return line;
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read password.file " + file + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }
}
