package org.mqttwarden.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.mqttwarden.api.store.WardenDatabase.Migration;

/**
 * The SQL of the account, role and ACL tables, in one place. Runs on SQLite and PostgreSQL, except
 * {@link #SQLITE_CHANGE_COUNTER} and {@link #POSTGRES_CHANGES}.
 */
final class AccountTables {

    static final String OWNER = "store";

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "accounts, roles, grants, ACL rules", List.of(
            "CREATE TABLE warden_role (name VARCHAR(128) NOT NULL PRIMARY KEY, superuser BOOLEAN NOT NULL,"
                    + " built_in BOOLEAN NOT NULL, description VARCHAR(512) NOT NULL)",
            "CREATE TABLE warden_account (username VARCHAR(512) NOT NULL PRIMARY KEY,"
                    + " password_hash VARCHAR(255) NOT NULL, email VARCHAR(320), enabled BOOLEAN NOT NULL,"
                    + " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
            "CREATE TABLE warden_account_role ("
                    + " username VARCHAR(512) NOT NULL REFERENCES warden_account (username) ON DELETE CASCADE,"
                    + " role VARCHAR(128) NOT NULL REFERENCES warden_role (name) ON DELETE CASCADE,"
                    + " PRIMARY KEY (username, role))",
            "CREATE TABLE warden_acl_rule (id BIGINT NOT NULL PRIMARY KEY, subject_type VARCHAR(16) NOT NULL,"
                    + " subject VARCHAR(512) NOT NULL, topic_filter VARCHAR(65535) NOT NULL,"
                    + " permission VARCHAR(16) NOT NULL, comment VARCHAR(1024) NOT NULL)",
            "CREATE INDEX warden_acl_rule_subject ON warden_acl_rule (subject_type, subject)",
            "INSERT INTO warden_role (name, superuser, built_in, description) VALUES"
                    + " ('admin', TRUE, TRUE, 'Superuser: every topic, every access'),"
                    + " ('sensor', FALSE, TRUE, 'Device: publish, read and subscribe under its own namespace %u/#'),"
                    + " ('viewer', FALSE, TRUE, 'Read and subscribe under granted topics, never publish')",
            "INSERT INTO warden_acl_rule (id, subject_type, subject, topic_filter, permission, comment) VALUES"
                    + " (1, 'ROLE', 'sensor', '%u/#', 'READWRITE', 'built-in: a sensor owns its namespace')")));

    static final String SELECT_ACCOUNT = "SELECT username, password_hash, email, enabled, created_at, updated_at"
            + " FROM warden_account";
    static final String SELECT_GRANTS = "SELECT username, role FROM warden_account_role";
    static final String INSERT_ACCOUNT = "INSERT INTO warden_account"
            + " (username, password_hash, email, enabled, created_at, updated_at)"
            + " VALUES (:username, :hash, :email, :enabled, :created, :updated)";
    static final String COUNT_GRANTS_OF_ROLE = "SELECT COUNT(*) FROM warden_account_role WHERE role = :role";
    static final String INSERT_GRANT = "INSERT INTO warden_account_role (username, role) VALUES (:username, :role)";
    static final String DELETE_GRANT = "DELETE FROM warden_account_role WHERE username = :username AND role = :role";
    static final String TOUCH_ACCOUNT = "UPDATE warden_account SET updated_at = :now WHERE username = :username";
    static final String UPDATE_HASH = "UPDATE warden_account SET password_hash = :hash, updated_at = :now"
            + " WHERE username = :username";
    static final String UPDATE_ENABLED = "UPDATE warden_account SET enabled = :enabled, updated_at = :now"
            + " WHERE username = :username";
    static final String DELETE_ACCOUNT = "DELETE FROM warden_account WHERE username = :username";
    static final String DELETE_ACCOUNT_RULES = "DELETE FROM warden_acl_rule WHERE subject_type = 'ACCOUNT'"
            + " AND subject = :subject";

    static final String SELECT_ROLE = "SELECT name, superuser, built_in, description FROM warden_role";
    static final String INSERT_ROLE = "INSERT INTO warden_role (name, superuser, built_in, description)"
            + " VALUES (:name, :superuser, :builtIn, :description)";
    static final String DELETE_ROLE = "DELETE FROM warden_role WHERE name = :name";
    static final String DELETE_ROLE_RULES = "DELETE FROM warden_acl_rule WHERE subject_type = 'ROLE'"
            + " AND subject = :subject";

    static final String SELECT_RULES = "SELECT id, subject_type, subject, topic_filter, permission, comment"
            + " FROM warden_acl_rule ORDER BY id";
    static final String SELECT_RULES_OF_TYPE = "SELECT id, subject_type, subject, topic_filter, permission, comment"
            + " FROM warden_acl_rule WHERE subject_type = :subjectType ORDER BY id";
    static final String SELECT_RULES_OF = "SELECT id, subject_type, subject, topic_filter, permission, comment"
            + " FROM warden_acl_rule WHERE subject_type = :subjectType AND subject = :subject ORDER BY id";
    static final String SELECT_RULE = "SELECT id, subject_type, subject, topic_filter, permission, comment"
            + " FROM warden_acl_rule WHERE id = :id";
    static final String NEXT_RULE_ID = "SELECT COALESCE(MAX(id), 0) + 1 FROM warden_acl_rule";
    static final String INSERT_RULE = "INSERT INTO warden_acl_rule"
            + " (id, subject_type, subject, topic_filter, permission, comment)"
            + " VALUES (:id, :subjectType, :subject, :topicFilter, :permission, :comment)";
    static final String DELETE_RULE = "DELETE FROM warden_acl_rule WHERE id = :id";

    /**
     * SQLite only, run on every start (idempotent, outside the migrations, which must also run on
     * PostgreSQL): a one-row counter that triggers move on every row inserted, updated or deleted in
     * the account tables, by any process, so that {@link OutsideChanges} tells an edit of these tables
     * from writes to other bundles' tables in the same file.
     */
    static final List<String> SQLITE_CHANGE_COUNTER = sqliteChangeCounter();
    static final String SELECT_CHANGE_COUNTER = "SELECT n FROM warden_account_change WHERE id = 1";

    /**
     * PostgreSQL only, under their own owner so the {@code store} schema stays the same on both databases: the
     * same one-row counter as on SQLite, moved by a statement-level trigger on every statement that writes the
     * account tables, which also announces the change on {@link #CHANNEL} in the same transaction, so every
     * gateway listening ({@link PostgresChanges}) hears of it when, and only if, it commits. The payload is the
     * writing transaction's id, so a gateway tells its own writes (which moved its revision already) from the
     * fleet's; PostgreSQL folds a transaction's identical notifications into one. The function runs with the
     * writer's rights: a runtime role needs UPDATE on {@code warden_account_change}, as on the other tables.
     */
    static final String POSTGRES_CHANGES_OWNER = "store-changes";
    static final String CHANNEL = "warden_changes";
    static final List<Migration> POSTGRES_CHANGES = List.of(new Migration(1,
            "change counter and notification on account, role, grant and rule changes", postgresChanges()));
    /**
     * PostgreSQL: taken first by each of the store's writes. The triggers lock the counter's row at the end of
     * each statement; a write of two statements (grant, then touch the account) would otherwise hold it while
     * waiting for an account row another gateway's single statement holds while waiting for it: a deadlock
     * PostgreSQL breaks by failing one of them. Taken first, every gateway locks in one order.
     */
    static final String LOCK_CHANGE_COUNTER = "SELECT n FROM warden_account_change WHERE id = 1 FOR UPDATE";
    /** PostgreSQL: the counter and the id of the transaction, read by a write before it commits. */
    static final String SELECT_OWN_CHANGE = "SELECT n, CAST(txid_current() AS VARCHAR) FROM warden_account_change"
            + " WHERE id = 1";

    private static List<String> postgresChanges() {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE TABLE warden_account_change (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),"
                + " n BIGINT NOT NULL)");
        sql.add("INSERT INTO warden_account_change (id, n) VALUES (1, 0)");
        sql.add("CREATE FUNCTION warden_account_changed() RETURNS trigger LANGUAGE plpgsql AS $body$"
                + " BEGIN"
                + " UPDATE warden_account_change SET n = n + 1 WHERE id = 1;"
                + " PERFORM pg_notify('" + CHANNEL + "', CAST(txid_current() AS VARCHAR));"
                + " RETURN NULL;"
                + " END $body$");
        for (String table : List.of("warden_account", "warden_account_role", "warden_role", "warden_acl_rule")) {
            sql.add("CREATE TRIGGER " + table + "_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + table
                    + " FOR EACH STATEMENT EXECUTE FUNCTION warden_account_changed()");
        }
        return List.copyOf(sql);
    }

    private static List<String> sqliteChangeCounter() {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE TABLE IF NOT EXISTS warden_account_change (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),"
                + " n INTEGER NOT NULL)");
        sql.add("INSERT OR IGNORE INTO warden_account_change (id, n) VALUES (1, 0)");
        for (String table : List.of("warden_account", "warden_account_role", "warden_role", "warden_acl_rule")) {
            for (String event : List.of("INSERT", "UPDATE", "DELETE")) {
                sql.add("CREATE TRIGGER IF NOT EXISTS " + table + "_changed_" + event.toLowerCase(Locale.ROOT)
                        + " AFTER " + event + " ON " + table
                        + " BEGIN UPDATE warden_account_change SET n = n + 1 WHERE id = 1; END");
            }
        }
        return List.copyOf(sql);
    }

    private AccountTables() {
    }
}
