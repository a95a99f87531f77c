package org.mqttwarden.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.WardenDatabase.Migration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies versioned schema migrations per owning bundle, recording them in {@code warden_schema}. */
final class Migrator {

    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

    private static final String CREATE = "CREATE TABLE IF NOT EXISTS warden_schema ("
            + " owner VARCHAR(64) NOT NULL, version INTEGER NOT NULL, description VARCHAR(512) NOT NULL,"
            + " applied_at BIGINT NOT NULL, PRIMARY KEY (owner, version))";

    private final Jdbi jdbi;

    Migrator(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    synchronized void migrate(String owner, List<Migration> migrations) {
        jdbi.useHandle(h -> h.execute(CREATE));
        Set<Integer> applied = new HashSet<>(jdbi.withHandle(h -> h
                .createQuery("SELECT version FROM warden_schema WHERE owner = :owner")
                .bind("owner", owner).mapTo(Integer.class).list()));
        List<Migration> ordered = migrations.stream().sorted(Comparator.comparingInt(Migration::version)).toList();
        for (Migration m : ordered) {
            if (applied.contains(m.version())) {
                continue;
            }
            try {
                jdbi.useTransaction(h -> {
                    for (String sql : m.statements()) {
                        h.execute(sql);
                    }
                    h.createUpdate("INSERT INTO warden_schema (owner, version, description, applied_at)"
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
}
