package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.ChangeNotRecordedException;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.audit.AuditLog;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.store.SqliteDatabaseFiles;
import org.mqttwarden.testsupport.Configs;

/**
 * No admin change without its audit row, with the real audit log: its writer is held up by another process
 * holding the audit file's write lock (as a backup tool or an {@code sqlite3} shell would), so its queue
 * fills or its commit does not come in time.
 */
class AdminChangeAuditTest {

    private static final String PW = "correct horse battery";
    private static final int QUEUE = 16;

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private JdbiAccountStore store;
    private AccountAdmin admin;
    private SqliteDatabaseFiles files;
    private AuditLog audit;
    private Connection lock;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        store = new JdbiAccountStore(db);
        files = new SqliteDatabaseFiles();
        audit = new AuditLog(auditConfig(dir.resolve("audit.db")), files);
        AuthConfig config = Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10, "event.wait.ms", 1000));
        SecurityEvents events = new SecurityEvents(config);
        events.addSink(audit);
        admin = new AccountAdmin(store, events, config);
    }

    @AfterEach
    void close() throws Exception {
        release();
        audit.close();
        files.close();
        db.close();
    }

    @Test
    void aChangeTheAuditRefusesWithAFullQueueIsNotMadeAndTheCommandSaysWhy() throws Exception {
        admin.createAccount("plc-1", PW, Set.of("sensor"), null, "root");
        String hashBefore = store.findAccount("plc-1").orElseThrow().passwordHash();
        stallAndFill();

        assertThatThrownBy(() -> admin.setPassword("plc-1", "another good password", "root"))
                .isInstanceOf(ChangeNotRecordedException.class).hasMessageContaining("Nothing was changed")
                .hasMessageContaining("audit log refused").hasMessageContaining("queue is full");
        assertThatThrownBy(() -> admin.createAccount("plc-2", PW, Set.of("sensor"), null, "root"))
                .isInstanceOf(ChangeNotRecordedException.class);
        assertThatThrownBy(() -> admin.addRule(new AclRule(0, SubjectType.ACCOUNT, "plc-1", "plant/#",
                Permission.READWRITE, ""), "root")).isInstanceOf(ChangeNotRecordedException.class);
        assertThatThrownBy(() -> admin.removeAccount("plc-1", "root")).isInstanceOf(ChangeNotRecordedException.class);

        assertThat(store.findAccount("plc-1").orElseThrow().passwordHash()).isEqualTo(hashBefore);
        assertThat(store.findAccount("plc-2")).isEmpty();
        assertThat(store.listRules(SubjectType.ACCOUNT, "plc-1")).isEmpty();

        release();
        admin.setPassword("plc-1", "another good password", "root");
        assertThat(store.findAccount("plc-1").orElseThrow().passwordHash()).isNotEqualTo(hashBefore);
        assertThat(rows("account.password")).as("only the change made, recorded before it was made")
                .extracting(AuditRecord::outcome).containsExactly(Outcome.ALLOW);
    }

    @Test
    void aChangeWhoseRecordIsNotCommittedInTimeIsNotMadeAndALateRecordIsFollowedByItsError() throws Exception {
        stall();
        assertThatThrownBy(() -> admin.createAccount("plc-3", PW, Set.of("sensor"), null, "root"))
                .isInstanceOf(ChangeNotRecordedException.class).hasMessageContaining("did not confirm");
        assertThat(store.findAccount("plc-3")).isEmpty();
        release();
        // the queued record is committed after all: the row that follows it says the change was not made
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("account.create").size() == 2);
        assertThat(rows("account.create")).extracting(AuditRecord::outcome)
                .containsExactly(Outcome.ALLOW, Outcome.ERROR);
        assertThat(rows("account.create").get(1).detail().get("error")).startsWith("not recorded");
    }

    @Test
    void aRecordedChangeTheStoreDoesNotMakeIsFollowedByAnErrorRow() {
        admin.createAccount("plc-4", PW, Set.of("sensor"), null, "root");
        // another gateway's admin (or a concurrent command) grants the role between validation and change
        AccountStore raced = (AccountStore) Proxy.newProxyInstance(AccountStore.class.getClassLoader(),
                new Class<?>[] {AccountStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("grantRole")) {
                        method.invoke(store, args);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        SecurityEvents events = new SecurityEvents(Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        events.addSink(audit);
        AccountAdmin racing = new AccountAdmin(raced, events, Configs.of(AuthConfig.class, Map.of("bcrypt.cost", 10)));
        assertThatThrownBy(() -> racing.grantRole("plc-4", "viewer", "root")).hasMessageContaining("already holds");
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("account.role-grant").size() == 2);
        assertThat(rows("account.role-grant")).extracting(AuditRecord::outcome)
                .containsExactly(Outcome.ALLOW, Outcome.ERROR);
    }

    private List<AuditRecord> rows(String reason) {
        return audit.search(new AuditFilter(null, null, EventType.ADMIN_CHANGE, null, null, null, null, 100)).stream()
                .filter(r -> r.reason().equals(reason)).sorted((a, b) -> Long.compare(a.id(), b.id())).toList();
    }

    /** Takes the audit file's write lock from a connection of its own, as another process would. */
    private void stall() throws Exception {
        lock = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("audit.db").toAbsolutePath());
        try (Statement s = lock.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
        }
    }

    /**
     * Stalls the writer and fills its queue with refused logins (security-relevant, so none is dropped to
     * make room; the writer holds at most one of them).
     */
    private void stallAndFill() throws Exception {
        stall();
        for (int i = 0; i <= QUEUE; i++) {
            audit.accept(new SecurityEvent(Instant.now(), EventType.AUTH, Outcome.DENY, "auth.bad-password",
                    "dev-" + i, Set.of(), "c-" + i, null, null, null, null, Map.of()));
        }
    }

    private void release() throws Exception {
        if (lock != null) {
            try (Statement s = lock.createStatement()) {
                s.execute("ROLLBACK");
            }
            lock.close();
            lock = null;
        }
    }

    /** The audit's configuration as Declarative Services would hand it over: defaults, a small queue. */
    private static AuditLog.Config auditConfig(Path file) {
        return Configs.of(AuditLog.Config.class, Map.of("path", file.toString(), "queue.size", QUEUE,
                "batch.max", 1, "busy.timeout.ms", 60_000, "offer.timeout.ms", 100));
    }
}
