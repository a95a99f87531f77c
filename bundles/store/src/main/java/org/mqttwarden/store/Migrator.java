package org.mqttwarden.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.WardenDatabase.Migration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies versioned schema migrations per owning bundle, recording them in {@code warden_schema}.
 *
 * <p>On PostgreSQL many gateways may start at the same moment against one database: the whole run (the
 * look at what is applied and every step) holds a session advisory lock, so each step is applied once and a
 * gateway that waited finds the steps done. A database holding, for an owner, a version above the highest
 * this gateway knows was migrated by a newer gateway: it is refused before anything is changed, on SQLite
 * too, since an older gateway would run its old SQL against tables it does not know.
 */
final class Migrator {

    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

    private static final String CREATE = "CREATE TABLE IF NOT EXISTS warden_schema ("
            + " owner VARCHAR(64) NOT NULL, version INTEGER NOT NULL, description VARCHAR(512) NOT NULL,"
            + " applied_at BIGINT NOT NULL, PRIMARY KEY (owner, version))";

    /** The advisory lock key of Warden's migrations on PostgreSQL (ASCII "WardenM"): one lock for all owners. */
    static final long LOCK_KEY = 0x57617264656e4dL;

    /**
     * How long a gateway waits on the network while another one holds the migration lock: the pool's socket
     * timeout is meant for decisions and would give up on a migration that takes a few seconds elsewhere.
     */
    static final int LOCK_WAIT_MS = (int) TimeUnit.MINUTES.toMillis(10);

    private final Jdbi jdbi;
    private final boolean postgres;

    /** Migrations on SQLite (no advisory lock). */
    Migrator(Jdbi jdbi) {
        this(jdbi, false);
    }

    /** @param postgres true to hold PostgreSQL's advisory lock {@link #LOCK_KEY} while migrating */
    Migrator(Jdbi jdbi, boolean postgres) {
        this.jdbi = jdbi;
        this.postgres = postgres;
    }

    /**
     * @throws IllegalStateException when the database holds a newer schema of {@code owner} than
     *     {@code migrations} know (nothing is changed), or naming the step that failed (nothing of it applied)
     */
    synchronized void migrate(String owner, List<Migration> migrations) {
        List<Migration> ordered = migrations.stream().sorted(Comparator.comparingInt(Migration::version)).toList();
        int known = ordered.isEmpty() ? 0 : ordered.get(ordered.size() - 1).version();
        jdbi.useHandle(h -> {
            if (postgres) {
                lock(h.getConnection());
            }
            try {
                migrateLocked(h, owner, ordered, known);
            } finally {
                if (postgres) {
                    unlock(h.getConnection());
                }
            }
        });
    }

    /**
     * @return the highest version applied per owner, by owner (empty before any migration)
     * @throws RuntimeException when the database cannot be read
     */
    Map<String, Integer> versions() {
        return jdbi.withHandle(h -> {
            Map<String, Integer> out = new TreeMap<>();
            h.createQuery("SELECT owner, MAX(version) FROM warden_schema GROUP BY owner")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2))).forEach(e -> out.put(e.getKey(),
                            e.getValue()));
            return out;
        });
    }

    private void migrateLocked(Handle h, String owner, List<Migration> ordered, int known) {
        // PostgreSQL checks the right to create in the schema before IF NOT EXISTS: a runtime role without DDL
        // rights starts against a migrated database only if the table is not created again
        if (!postgres || !h.createQuery("SELECT to_regclass('warden_schema') IS NOT NULL").mapTo(Boolean.class).one()) {
            h.execute(CREATE);
        }
        int newest = h.createQuery("SELECT COALESCE(MAX(version), 0) FROM warden_schema WHERE owner = :owner")
                .bind("owner", owner).mapTo(Integer.class).one();
        if (newest > known) {
            throw new IllegalStateException("The database holds schema version " + newest + " of " + owner
                    + ", newer than the " + known + " this gateway knows: the gateway is older than its database,"
                    + " upgrade it (nothing was changed)");
        }
        Set<Integer> applied = new HashSet<>(h.createQuery("SELECT version FROM warden_schema WHERE owner = :owner")
                .bind("owner", owner).mapTo(Integer.class).list());
        for (Migration m : ordered) {
            if (applied.contains(m.version())) {
                continue;
            }
            try {
                h.useTransaction(t -> {
                    for (String sql : m.statements()) {
                        t.execute(sql);
                    }
                    t.createUpdate("INSERT INTO warden_schema (owner, version, description, applied_at)"
                            + " VALUES (:owner, :version, :description, :at)")
                            .bind("owner", owner).bind("version", m.version()).bind("description", m.description())
                            .bind("at", Instant.now().toEpochMilli()).execute();
                });
            } catch (RuntimeException e) {
                throw new IllegalStateException("Migration " + owner + " v" + m.version() + " (" + m.description()
                        + ") failed: " + e.getMessage(), e);
            }
            LOG.info("Applied schema migration {} v{}: {}", owner, m.version(), m.description());
        }
    }

    /** Waits (up to {@link #LOCK_WAIT_MS} on the network) for the session lock; the pool restores the timeout. */
    private static void lock(Connection c) {
        try {
            c.setNetworkTimeout(Runnable::run, LOCK_WAIT_MS);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot take the migration lock of the database: " + e.getMessage(), e);
        }
    }

    /**
     * Releases the session lock. A connection that cannot is aborted, so the server releases the lock with the
     * session instead of the pool keeping a connection that holds it.
     */
    private static void unlock(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
        } catch (SQLException e) {
            LOG.warn("Could not release the migration lock ({}); the connection is closed, which releases it",
                    e.toString());
            try {
                c.abort(Runnable::run);
            } catch (SQLException ignored) {
                // closed already: the lock went with it
            }
        }
    }
}
