package org.mqttwarden.api.store;

import java.util.List;

import javax.sql.DataSource;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The gateway's database (SQLite by default), shared by the bundles that keep state. Each bundle
 * owns its tables and brings their migrations.
 */
@ProviderType
public interface WardenDatabase {

    /** @return the data source; connections must be closed by the caller */
    DataSource dataSource();

    /** @return a description for health output, e.g. {@code sqlite:/opt/warden/data/warden/warden.db} */
    String describe();

    /**
     * Applies, in order and each in its own transaction, the migrations of {@code owner} not yet
     * applied. Safe to call on every start.
     *
     * @param owner the owning bundle's name, e.g. {@code store}, {@code lockout}
     * @throws IllegalStateException when a migration fails; nothing of it is applied
     */
    void migrate(String owner, List<Migration> migrations);

    /**
     * One schema step.
     *
     * @param version 1, 2, 3… per owner
     * @param description what it does
     * @param statements SQL statements that also run on PostgreSQL
     */
    record Migration(int version, String description, List<String> statements) {
        public Migration {
            statements = List.copyOf(statements);
        }
    }
}
