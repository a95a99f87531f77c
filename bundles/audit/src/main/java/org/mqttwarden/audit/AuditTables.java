package org.mqttwarden.audit;

import java.util.List;

import org.mqttwarden.api.store.WardenDatabase.Migration;

/**
 * The SQL of the audit file, in one place. Runs on SQLite and PostgreSQL. The migrations are run by
 * warden-store's runner, which records them in its {@code warden_schema} table under {@link #OWNER}.
 * Ids are assigned by the single writer (contiguous, so a gap means a deleted row), not by the database.
 */
final class AuditTables {

    static final String OWNER = "audit";

    /*
     * roles and detail are TEXT: the writer bounds neither to a length (roles has one entry per role,
     * detail up to 32 values of 513 characters, JSON-escaped), and PostgreSQL rejects a longer value
     * for VARCHAR(n), failing the whole batch, where SQLite, which never checks lengths, stores it.
     * On SQLite TEXT and VARCHAR(n) are the same type, so files made before this stay as they are.
     */
    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "audit events with hash chain", List.of(
            "CREATE TABLE warden_audit (id BIGINT NOT NULL PRIMARY KEY, occurred_at BIGINT NOT NULL,"
                    + " type VARCHAR(16) NOT NULL, outcome VARCHAR(8) NOT NULL, reason VARCHAR(256) NOT NULL,"
                    + " username VARCHAR(512), roles TEXT NOT NULL, client_id VARCHAR(512),"
                    + " address VARCHAR(128), topic VARCHAR(65535), access VARCHAR(16), actor VARCHAR(512),"
                    + " detail TEXT NOT NULL, hash CHAR(64) NOT NULL)",
            "CREATE INDEX warden_audit_time ON warden_audit (occurred_at)",
            "CREATE INDEX warden_audit_username ON warden_audit (username, occurred_at)",
            "CREATE INDEX warden_audit_client ON warden_audit (client_id, occurred_at)")),
            // a partial index: free for every other row, and finds the chain's anchor at once
            new Migration(2, "index of pruning records", List.of(
                    "CREATE INDEX warden_audit_pruned ON warden_audit (id) WHERE reason = 'audit.pruned'")));

    static final String COLUMNS = "id, occurred_at, type, outcome, reason, username, roles, client_id, address,"
            + " topic, access, actor, detail, hash";

    /** Positional, bound in the order of {@link #COLUMNS} through plain JDBC by the writer. */
    static final String INSERT = "INSERT INTO warden_audit (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            + " ?, ?, ?)";

    static final String SELECT_HEAD = "SELECT id, hash FROM warden_audit ORDER BY id DESC LIMIT 1";

    /** Lowest id, highest id and row count. */
    static final String SELECT_BOUNDS = "SELECT MIN(id), MAX(id), COUNT(*) FROM warden_audit";

    static final String SELECT_HASH = "SELECT hash FROM warden_audit WHERE id = :id";

    /** The newest row older than the cutoff: ids follow time, up to threads racing by milliseconds. */
    static final String SELECT_LAST_BEFORE = "SELECT MAX(id) FROM warden_audit WHERE occurred_at < :cutoff";

    /** The reason is spelled out, not bound: only then can SQLite use the partial index. */
    static final String SELECT_LAST_PRUNING = "SELECT " + COLUMNS + " FROM warden_audit"
            + " WHERE reason = 'audit.pruned' ORDER BY id DESC LIMIT 1";

    /** Empties a row's content but its id, time, type, outcome, reason and hash (see {@link AuditChain}). */
    static final String TOMBSTONE = "UPDATE warden_audit SET username = NULL, roles = '[]', client_id = NULL,"
            + " address = NULL, topic = NULL, access = NULL, actor = NULL, detail = :detail WHERE id = :id";

    static final String DELETE_RANGE = "DELETE FROM warden_audit WHERE id >= :from AND id < :to";

    static final String SELECT_TAIL = "SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS
            + " FROM warden_audit ORDER BY id DESC LIMIT :n) last_rows ORDER BY id";

    /** One page of the chain walk, keyset-paged by id. */
    static final String SELECT_PAGE = "SELECT " + COLUMNS + " FROM warden_audit WHERE id > :after ORDER BY id"
            + " LIMIT :n";

    /** {@link #SEARCH_HEAD} + any of the {@code AND_*} criteria + {@link #SEARCH_TAIL}. */
    static final String SEARCH_HEAD = "SELECT " + COLUMNS + " FROM warden_audit WHERE 1 = 1";
    static final String AND_USERNAME = " AND username = :username";
    static final String AND_CLIENT = " AND client_id = :clientId";
    static final String AND_TYPE = " AND type = :type";
    static final String AND_OUTCOME = " AND outcome = :outcome";
    /**
     * Prefix match without LIKE: no escaping of % and _, and case-sensitive on both databases. The
     * length is in code points, bound as an int: PostgreSQL has no {@code substr(text, int, bigint)}.
     */
    static final String AND_TOPIC_PREFIX = " AND substr(topic, 1, :prefixLength) = :topicPrefix";
    static final String AND_FROM = " AND occurred_at >= :from";
    static final String AND_TO = " AND occurred_at < :to";
    static final String SEARCH_TAIL = " ORDER BY id DESC LIMIT :limit";

    private AuditTables() {
    }
}
