package org.mqttwarden.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.api.store.WardenDatabase;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Accounts, roles, grants and ACL rules in the Warden database, through Jdbi. On the SQLite database the
 * revision also moves, within about a second, when another process changes these tables or replaces
 * the file ({@link OutsideChanges}); on a PostgreSQL database a fleet shares, when another gateway commits a
 * change to them, or the connection that hears of such changes is lost or back ({@link PostgresChanges}).
 */
@Component(service = AccountStore.class)
public final class JdbiAccountStore implements AccountStore {

    /** How often the SQLite file is checked for changes made by other processes. */
    static final Duration OUTSIDE_CHANGES_POLL = Duration.ofSeconds(1);

    /** PostgreSQL: the longest pause between attempts to listen again after the connection was lost. */
    static final Duration LISTEN_MAX_BACKOFF = Duration.ofSeconds(10);

    private final Jdbi jdbi;
    private final AtomicLong revision = new AtomicLong(1);
    private final OutsideChanges outsideChanges;
    private final PostgresChanges fleetChanges;

    @Activate
    public JdbiAccountStore(@Reference WardenDatabase database) {
        this(database, OUTSIDE_CHANGES_POLL);
    }

    /**
     * As the component, checking an SQLite file for outside changes, or a PostgreSQL database's change counter,
     * every {@code poll}.
     */
    JdbiAccountStore(WardenDatabase database, Duration poll) {
        this(database, poll, LISTEN_MAX_BACKOFF);
    }

    /** As above, pausing at most {@code maxBackoff} between attempts to listen on PostgreSQL again. */
    JdbiAccountStore(WardenDatabase database, Duration poll, Duration maxBackoff) {
        database.migrate(AccountTables.OWNER, AccountTables.MIGRATIONS);
        this.jdbi = Jdbi.create(database.dataSource());
        SqliteDatabase sqlite = StoreDatabase.sqlite(database);
        // asked only when it is not SQLite: a gateway without the PostgreSQL driver never loads its classes
        PostgresDatabase postgres = sqlite == null ? StoreDatabase.postgres(database) : null;
        if (sqlite != null) {
            jdbi.useTransaction(h -> AccountTables.SQLITE_CHANGE_COUNTER.forEach(h::execute));
            this.outsideChanges = new OutsideChanges(sqlite, poll, revision::incrementAndGet);
            this.fleetChanges = null;
        } else if (postgres != null) {
            database.migrate(AccountTables.POSTGRES_CHANGES_OWNER, AccountTables.POSTGRES_CHANGES);
            this.outsideChanges = null;
            this.fleetChanges = new PostgresChanges(postgres, poll, maxBackoff, revision::incrementAndGet);
        } else {
            this.outsideChanges = null;
            this.fleetChanges = null;
        }
    }

    /** Stops watching the file or listening; the database stays open (it belongs to its own component). */
    @Deactivate
    void close() {
        if (outsideChanges != null) {
            outsideChanges.close();
        }
        if (fleetChanges != null) {
            fleetChanges.close();
        }
    }

    /**
     * @return how this store learns of changes it did not make, for {@code warden:store-status}: the SQLite
     *     file's watcher, or on PostgreSQL whether the listener hears the fleet now and how often it reconnected
     */
    public String changesHeard() {
        if (outsideChanges != null) {
            return "SQLite file checked every " + OUTSIDE_CHANGES_POLL.toMillis() + " ms for other processes' edits";
        }
        if (fleetChanges != null) {
            return (fleetChanges.listening() ? "listening on " + AccountTables.CHANNEL
                    : "NOT listening (connection lost, reconnecting; caches were dropped)")
                    + ", counter polled every " + OUTSIDE_CHANGES_POLL.toMillis() + " ms, "
                    + fleetChanges.reconnects() + " reconnections since start";
        }
        return "only this store's own writes";
    }

    /** @return the listener for the fleet's changes, or null on another database than PostgreSQL */
    PostgresChanges fleetChanges() {
        return fleetChanges;
    }

    /** @return the watcher of the SQLite file, or null on another database */
    OutsideChanges outsideChanges() {
        return outsideChanges;
    }

    @Override
    public Optional<StoredAccount> findAccount(String username) {
        return jdbi.withHandle(h -> {
            Optional<Row> row = h.createQuery(AccountTables.SELECT_ACCOUNT + " WHERE username = :username")
                    .bind("username", username).map((rs, ctx) -> Row.of(rs)).findOne();
            if (row.isEmpty()) {
                return Optional.empty();
            }
            Set<String> roles = new HashSet<>(h.createQuery(
                    "SELECT role FROM warden_account_role WHERE username = :username")
                    .bind("username", username).mapTo(String.class).list());
            return Optional.of(row.get().toAccount(roles));
        });
    }

    @Override
    public List<StoredAccount> listAccounts() {
        return jdbi.withHandle(h -> {
            Map<String, Set<String>> grants = new HashMap<>();
            for (String[] grant : h.createQuery(AccountTables.SELECT_GRANTS)
                    .map((rs, ctx) -> new String[] {rs.getString("username"), rs.getString("role")}).list()) {
                grants.computeIfAbsent(grant[0], k -> new HashSet<>()).add(grant[1]);
            }
            List<StoredAccount> out = new ArrayList<>();
            for (Row row : h.createQuery(AccountTables.SELECT_ACCOUNT + " ORDER BY username")
                    .map((rs, ctx) -> Row.of(rs)).list()) {
                out.add(row.toAccount(grants.getOrDefault(row.username, Set.of())));
            }
            return out;
        });
    }

    @Override
    public long countAccounts() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM warden_account").mapTo(Long.class).one());
    }

    @Override
    public long countAccountsWithRole(String role) {
        return jdbi.withHandle(h -> h.createQuery(AccountTables.COUNT_GRANTS_OF_ROLE).bind("role", role)
                .mapTo(Long.class).one());
    }

    @Override
    public boolean insertAccount(StoredAccount a) {
        try {
            write(h -> {
                h.createUpdate(AccountTables.INSERT_ACCOUNT).bind("username", a.username())
                        .bind("hash", a.passwordHash()).bind("email", a.email()).bind("enabled", a.enabled())
                        .bind("created", a.created().toEpochMilli()).bind("updated", a.updated().toEpochMilli())
                        .execute();
                for (String role : a.roles()) {
                    h.createUpdate(AccountTables.INSERT_GRANT).bind("username", a.username()).bind("role", role)
                            .execute();
                }
                return true;
            });
        } catch (UnableToExecuteStatementException e) {
            if (isConstraintViolation(e)) {
                return false;
            }
            throw e;
        }
        return changed(true);
    }

    @Override
    public boolean updatePasswordHash(String username, String passwordHash, Instant now) {
        return changed(update(h -> h.createUpdate(AccountTables.UPDATE_HASH).bind("hash", passwordHash)
                .bind("now", now.toEpochMilli()).bind("username", username).execute()));
    }

    @Override
    public boolean updateEnabled(String username, boolean enabled, Instant now) {
        return changed(update(h -> h.createUpdate(AccountTables.UPDATE_ENABLED).bind("enabled", enabled)
                .bind("now", now.toEpochMilli()).bind("username", username).execute()));
    }

    @Override
    public boolean deleteAccount(String username) {
        return changed(write(h -> {
            h.createUpdate(AccountTables.DELETE_ACCOUNT_RULES).bind("subject", username).execute();
            return h.createUpdate(AccountTables.DELETE_ACCOUNT).bind("username", username).execute() > 0;
        }));
    }

    @Override
    public List<Role> listRoles() {
        return jdbi.withHandle(h -> h.createQuery(AccountTables.SELECT_ROLE + " ORDER BY name")
                .map((rs, ctx) -> new Role(rs.getString("name"), rs.getBoolean("superuser"), rs.getBoolean("built_in"),
                        rs.getString("description")))
                .list());
    }

    @Override
    public Optional<Role> findRole(String name) {
        return jdbi.withHandle(h -> h.createQuery(AccountTables.SELECT_ROLE + " WHERE name = :name").bind("name", name)
                .map((rs, ctx) -> new Role(rs.getString("name"), rs.getBoolean("superuser"), rs.getBoolean("built_in"),
                        rs.getString("description")))
                .findOne());
    }

    @Override
    public boolean insertRole(Role role) {
        try {
            return changed(update(h -> h.createUpdate(AccountTables.INSERT_ROLE).bind("name", role.name())
                    .bind("superuser", role.superuser()).bind("builtIn", role.builtIn())
                    .bind("description", role.description()).execute()));
        } catch (UnableToExecuteStatementException e) {
            if (isConstraintViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean deleteRole(String name) {
        return changed(write(h -> {
            h.createUpdate(AccountTables.DELETE_ROLE_RULES).bind("subject", name).execute();
            return h.createUpdate(AccountTables.DELETE_ROLE).bind("name", name).execute() > 0;
        }));
    }

    @Override
    public boolean grantRole(String username, String role, Instant now) {
        try {
            return changed(write(h -> {
                int n = h.createUpdate(AccountTables.INSERT_GRANT).bind("username", username).bind("role", role)
                        .execute();
                h.createUpdate(AccountTables.TOUCH_ACCOUNT).bind("now", now.toEpochMilli())
                        .bind("username", username).execute();
                return n > 0;
            }));
        } catch (UnableToExecuteStatementException e) {
            if (isConstraintViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean revokeRole(String username, String role, Instant now) {
        return changed(write(h -> {
            int n = h.createUpdate(AccountTables.DELETE_GRANT).bind("username", username).bind("role", role).execute();
            h.createUpdate(AccountTables.TOUCH_ACCOUNT).bind("now", now.toEpochMilli()).bind("username", username)
                    .execute();
            return n > 0;
        }));
    }

    @Override
    public List<AclRule> listRules() {
        return jdbi.withHandle(h -> h.createQuery(AccountTables.SELECT_RULES).map(JdbiAccountStore::rule).list());
    }

    @Override
    public List<AclRule> listRules(SubjectType type, String subject) {
        return jdbi.withHandle(h -> {
            var query = h.createQuery(subject == null ? AccountTables.SELECT_RULES_OF_TYPE
                    : AccountTables.SELECT_RULES_OF).bind("subjectType", type.name());
            if (subject != null) {
                query.bind("subject", subject);
            }
            return query.map(JdbiAccountStore::rule).list();
        });
    }

    @Override
    public Optional<AclRule> findRule(long id) {
        return jdbi.withHandle(h -> h.createQuery(AccountTables.SELECT_RULE).bind("id", id)
                .map(JdbiAccountStore::rule).findOne());
    }

    private static AclRule rule(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new AclRule(rs.getLong("id"), SubjectType.valueOf(rs.getString("subject_type")), rs.getString("subject"),
                rs.getString("topic_filter"), Permission.valueOf(rs.getString("permission")), rs.getString("comment"));
    }

    @Override
    public AclRule insertRule(AclRule rule) {
        AclRule stored = write(h -> {
            long id = h.createQuery(AccountTables.NEXT_RULE_ID).mapTo(Long.class).one();
            h.createUpdate(AccountTables.INSERT_RULE).bind("id", id).bind("subjectType", rule.subjectType().name())
                    .bind("subject", rule.subject()).bind("topicFilter", rule.topicFilter())
                    .bind("permission", rule.permission().name()).bind("comment", rule.comment()).execute();
            return rule.withId(id);
        });
        changed(true);
        return stored;
    }

    @Override
    public long nextRuleId() {
        return jdbi.withHandle(h -> h.createQuery(AccountTables.NEXT_RULE_ID).mapTo(Long.class).one());
    }

    @Override
    public boolean insertRuleWithId(AclRule rule) {
        if (rule.id() < 1) {
            throw new IllegalArgumentException("A rule inserted under its id needs one above 0, not " + rule.id());
        }
        try {
            return changed(update(h -> h.createUpdate(AccountTables.INSERT_RULE).bind("id", rule.id())
                    .bind("subjectType", rule.subjectType().name()).bind("subject", rule.subject())
                    .bind("topicFilter", rule.topicFilter()).bind("permission", rule.permission().name())
                    .bind("comment", rule.comment()).execute()));
        } catch (UnableToExecuteStatementException e) {
            if (isConstraintViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean deleteRule(long id) {
        return changed(update(h -> h.createUpdate(AccountTables.DELETE_RULE).bind("id", id).execute()));
    }

    /**
     * @return a number that moves on every change made through this store and, on SQLite, within about
     *     a second of a change another process made to these tables or of the file being replaced; on
     *     PostgreSQL, as soon as another gateway's change to them is heard (within about a second should its
     *     notification be missed), and when the connection hearing of changes is lost and again when it is back
     */
    @Override
    public long revision() {
        return revision.get();
    }

    private boolean update(java.util.function.ToIntFunction<Handle> statement) {
        return write(h -> statement.applyAsInt(h) > 0);
    }

    /**
     * Runs a write in a transaction. On SQLite it also reads the account tables' change counter before the
     * commit and, when the write changed something ({@code true}, or a value that is not {@code false}),
     * tells the watcher: the counter moved by our own write is not an outside change, so it does not drop
     * the caches a second time (our write moves the revision itself). Outside changes committed before ours
     * are then covered by our own revision move. On PostgreSQL it locks the counter first (see
     * {@link AccountTables#LOCK_CHANGE_COUNTER}: the fleet's writes to these tables take turns, as on SQLite) and
     * tells the listener, before the commit, the transaction's id and the counter it leaves, so the listener does
     * not take this write's notification for another gateway's.
     */
    private <T> T write(org.jdbi.v3.core.HandleCallback<T, RuntimeException> work) {
        long[] counter = {-1};
        T result = jdbi.inTransaction(h -> {
            if (fleetChanges != null) {
                h.createQuery(AccountTables.LOCK_CHANGE_COUNTER).mapTo(Long.class).one();
            }
            T r = work.withHandle(h);
            if (outsideChanges != null && !Boolean.FALSE.equals(r)) {
                counter[0] = h.createQuery(AccountTables.SELECT_CHANGE_COUNTER).mapTo(Long.class).one();
            } else if (fleetChanges != null) {
                // the triggers ran even when no row changed: a statement-level trigger fires per statement
                // named before the commit: its notification may reach the listener before commit() returns here
                // (a write rolled back leaves a name nobody hears, forgotten in time)
                Object[] own = h.createQuery(AccountTables.SELECT_OWN_CHANGE)
                        .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getString(2)}).one();
                fleetChanges.ownWrite((Long) own[0], (String) own[1]);
            }
            return r;
        });
        if (counter[0] >= 0) {
            outsideChanges.ownWrite(counter[0]);
        }
        return result;
    }

    private boolean changed(boolean changed) {
        if (changed) {
            revision.incrementAndGet();
        }
        return changed;
    }

    private static boolean isConstraintViolation(UnableToExecuteStatementException e) {
        Throwable c = e.getCause();
        if (c instanceof java.sql.SQLException sql) {
            String state = sql.getSQLState();
            // PostgreSQL reports class 23 (integrity constraint violation); SQLite reports SQLITE_CONSTRAINT (19).
            return (state != null && state.startsWith("23")) || sql.getErrorCode() == 19
                    || String.valueOf(sql.getMessage()).contains("SQLITE_CONSTRAINT");
        }
        return false;
    }

    private record Row(String username, String hash, String email, boolean enabled, long created, long updated) {
        static Row of(java.sql.ResultSet rs) throws java.sql.SQLException {
            return new Row(rs.getString("username"), rs.getString("password_hash"), rs.getString("email"),
                    rs.getBoolean("enabled"), rs.getLong("created_at"), rs.getLong("updated_at"));
        }

        StoredAccount toAccount(Set<String> roles) {
            return new StoredAccount(username, hash, roles, email, enabled, Instant.ofEpochMilli(created),
                    Instant.ofEpochMilli(updated));
        }
    }
}
