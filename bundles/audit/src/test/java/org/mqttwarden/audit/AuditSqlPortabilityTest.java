package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.testsupport.PostgresServer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Every statement of {@link AuditTables}, unchanged, on a real PostgreSQL server and on a SQLite
 * file: the same rows in, the same answers out, and rows read back from PostgreSQL still verify
 * their hash chain (nothing padded, cut or retyped). Fleets of gateways will share one PostgreSQL,
 * switched by configuration alone. Like warden-store's PostgreSQL tests, this fails rather than
 * skips where the server binaries are missing ({@code ./run-tests} installs them).
 */
class AuditSqlPortabilityTest {

    private static final long T0 = Events.T0.toEpochMilli();
    private static final String DATABASE = "warden_audit_sql";
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    /** The rows both databases start from, ids 1 to {@link #LAST}. */
    private static final List<AuditRow> ROWS = scenario();
    private static final long LAST = ROWS.size();

    private static Postgres server;

    @TempDir
    Path dir;

    private Jdbi sqlite;
    private Jdbi postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        server = Postgres.start();
        try (Connection c = server.source("postgres", null).getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** A new SQLite file and a new PostgreSQL schema, each with the audit schema and the same rows. */
    @BeforeEach
    void createBoth() throws Exception {
        sqlite = Jdbi.create("jdbc:sqlite:" + dir.resolve("audit.db"));
        String schema = "audit_" + SCHEMAS.incrementAndGet();
        try (Connection c = server.source(DATABASE, null).getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        postgres = Jdbi.create(server.source(DATABASE, schema));
        for (Jdbi db : List.of(sqlite, postgres)) {
            migrate(db);
            insert(db, ROWS);
        }
    }

    @Test
    void appliesTheSameMigrationsWithThePartialIndex() {
        assertThat(same(AuditSqlPortabilityTest::applied)).containsExactlyInAnyOrder(1, 2);
        assertThat(text(sqlite, "SELECT sql FROM sqlite_master WHERE name = 'warden_audit_pruned'"))
                .contains("WHERE reason = 'audit.pruned'");
        assertThat(text(postgres, "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                + " AND indexname = 'warden_audit_pruned'")).contains("WHERE", "'audit.pruned'");
    }

    @Test
    void readsBackEveryRowUnchangedAndTheChainVerifies() {
        List<AuditRow> stored = same(AuditSqlPortabilityTest::walk);

        assertThat(stored).containsExactlyElementsOf(ROWS);
        assertThat(stored).allSatisfy(r -> assertThat(r.hash()).hasSize(64));
        assertChained(stored, AuditRow.GENESIS);
        assertThat(stored).allSatisfy(r -> assertThat(r.toRecord().hash()).isEqualTo(r.hash()));
    }

    /** Longer than the VARCHAR(4096) these columns once were: PostgreSQL refused them. */
    @Test
    void keepsTheLargestDetailAndRoleListTheWriterMakes() {
        AuditRow big = ROWS.get(12);
        // detail values are bounded since issue 10 (a prefix and a hash), so the detail is smaller than it was
        assertThat(big.detail().length()).as("detail").isGreaterThan(8_192);
        assertThat(big.roles().length()).as("roles").isGreaterThan(4_096);

        String stored = AuditRow.name("ü".repeat(512));
        assertThat(same((Jdbi db) -> search(db, filter(stored, null, null, null, null, null, null, null))))
                .containsExactly(big);
    }

    @Test
    void readsTheHeadBoundsAndHashesAlike() {
        assertThat(same(AuditSqlPortabilityTest::head)).isEqualTo(Map.entry(LAST, ROWS.get((int) LAST - 1).hash()));
        assertThat(same(AuditSqlPortabilityTest::bounds)).containsExactly(1L, LAST, LAST);
        for (AuditRow r : ROWS) {
            assertThat(same((Jdbi db) -> hash(db, r.id()))).contains(r.hash());
        }
        assertThat(same((Jdbi db) -> hash(db, LAST + 1))).isEmpty();
    }

    @Test
    void findsTheLastRowBeforeACutoffAlike() {
        assertThat(same((Jdbi db) -> lastBefore(db, T0))).isEmpty();
        assertThat(same((Jdbi db) -> lastBefore(db, T0 + 1))).contains(1L);
        assertThat(same((Jdbi db) -> lastBefore(db, T0 + 20))).contains(2L);
        assertThat(same((Jdbi db) -> lastBefore(db, T0 + 21))).contains(4L);
        assertThat(same((Jdbi db) -> lastBefore(db, Long.MAX_VALUE))).contains(LAST);
    }

    @Test
    void findsTheNewestPruningRecordAlike() {
        Optional<AuditRow> pruning = same(AuditSqlPortabilityTest::lastPruning);

        assertThat(pruning).contains(ROWS.get((int) LAST - 1));
        assertThat(AuditRetention.firstKept(pruning.get())).isEqualTo(3L);
        assertThat(AuditRetention.previousHash(pruning.get())).isEqualTo(ROWS.get(1).hash());
    }

    @Test
    void tailsAlike() {
        assertThat(same((Jdbi db) -> tail(db, 1))).extracting(AuditRow::id).containsExactly(LAST);
        assertThat(same((Jdbi db) -> tail(db, 3))).extracting(AuditRow::id).containsExactly(LAST - 2, LAST - 1, LAST);
        assertThat(same((Jdbi db) -> tail(db, (int) LAST + 5))).containsExactlyElementsOf(ROWS);
    }

    @Test
    void pagesAlike() {
        assertThat(same((Jdbi db) -> page(db, 0, 4))).extracting(AuditRow::id).containsExactly(1L, 2L, 3L, 4L);
        assertThat(same((Jdbi db) -> page(db, 4, 4))).extracting(AuditRow::id).containsExactly(5L, 6L, 7L, 8L);
        assertThat(same((Jdbi db) -> page(db, LAST - 1, 4))).extracting(AuditRow::id).containsExactly(LAST);
        assertThat(same((Jdbi db) -> page(db, LAST, 4))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("searches")
    void searchesAlike(String what, AuditFilter filter, List<Long> expectedIds) {
        assertThat(same((Jdbi db) -> search(db, filter))).extracting(AuditRow::id).as(what)
                .containsExactlyElementsOf(expectedIds);
    }

    static Stream<Arguments> searches() {
        long[] all = LongStream.rangeClosed(1, LAST).map(i -> LAST + 1 - i).toArray();
        long[] withTopic = ROWS.stream().filter(r -> r.topic() != null).mapToLong(AuditRow::id).map(i -> -i)
                .sorted().map(i -> -i).toArray();
        return Stream.of(
                search("everything", filter(null, null, null, null, null, null, null, null), all),
                search("username", filter("alice", null, null, null, null, null, null, null), 4, 2, 1),
                search("empty username is not null", filter("", null, null, null, null, null, null, null), 12),
                search("client id", filter(null, "bob-1", null, null, null, null, null, null), 3),
                search("non-ASCII client id", filter(null, AuditRow.name("客".repeat(512)), null, null, null, null,
                        null, null), 13),
                search("type", filter(null, null, EventType.AUTH, null, null, null, null, null), 12, 1),
                search("outcome", filter(null, null, null, Outcome.ERROR, null, null, null, null), 11),
                search("topic prefix, multibyte", prefix("werk/straße/"), 3, 2),
                search("topic prefix ending in CJK", prefix("werk/straße/温度"), 3, 2),
                search("topic prefix past CJK", prefix("werk/straße/温度/"), 3),
                search("topic prefix ending in an emoji", prefix("werk/😀"), 10),
                search("topic prefix, case-sensitive", prefix("werk/"), 10, 4, 3, 2),
                search("topic prefix, upper case", prefix("Werk/"), 9),
                search("topic prefix, % is literal", prefix("lab/50%"), 5),
                search("topic prefix, %_ are literal", prefix("lab/50%_"), 5),
                search("topic prefix, _ is literal", prefix("lab/5_"), 8),
                search("topic prefix, a lone %", prefix("%")),
                search("topic prefix, a lone _", prefix("_")),
                search("topic prefix of all lab topics", prefix("lab/5"), 8, 7, 5),
                search("empty topic prefix: any topic", prefix(""), withTopic),
                search("topic prefix longer than every topic", prefix("werk/straße/温度/roh/und/mehr")),
                search("from", filter(null, null, null, null, null, at(90), null, null), 14, 13, 12),
                search("to", filter(null, null, null, null, null, null, at(20), null), 2, 1),
                search("from and to", filter(null, null, null, null, null, at(20), at(21), null), 4, 3),
                search("from equal to to", filter(null, null, null, null, null, at(20), at(20), null)),
                search("every criterion", filter("carol", "carol-1", EventType.ACL, Outcome.DENY, "lab/", at(30),
                        at(41), null), 7, 5),
                search("limit", filter(null, null, null, null, null, null, null, 1), LAST),
                search("limit with criteria", filter(null, null, EventType.ACL, null, null, null, null, 2), 10, 9));
    }

    /** As retention does it: the pruning record says what goes; the rest still verifies from its hash. */
    @Test
    void deletesARangeAlikeAndTheRestStillVerifies() {
        AuditRow pruning = same(AuditSqlPortabilityTest::lastPruning).orElseThrow();
        long firstKept = AuditRetention.firstKept(pruning);

        assertThat(same((Jdbi db) -> delete(db, 1, firstKept))).isEqualTo(2);
        assertThat(same((Jdbi db) -> delete(db, 1, firstKept))).isZero();
        assertThat(same((Jdbi db) -> delete(db, LAST + 1, LAST + 100))).isZero();

        assertThat(same(AuditSqlPortabilityTest::bounds)).containsExactly(firstKept, LAST, LAST - firstKept + 1);
        assertThat(same((Jdbi db) -> lastBefore(db, T0 + 20))).isEmpty();
        assertThat(same((Jdbi db) -> hash(db, 2))).isEmpty();
        List<AuditRow> kept = same(AuditSqlPortabilityTest::walk);
        assertThat(kept).containsExactlyElementsOf(ROWS.subList((int) firstKept - 1, ROWS.size()));
        assertChained(kept, AuditRetention.previousHash(pruning));

        assertThat(same((Jdbi db) -> delete(db, 0, LAST + 1))).isEqualTo(LAST - firstKept + 1);
        assertThat(same(AuditSqlPortabilityTest::bounds)).containsExactly(0L, 0L, 0L);
        assertThat(same((Jdbi db) -> lastBefore(db, Long.MAX_VALUE))).isEmpty();
        assertThat(same(AuditSqlPortabilityTest::lastPruning)).isEmpty();
        assertThat(same((Jdbi db) -> tail(db, 5))).isEmpty();
    }

    // ---- the scenario

    /**
     * Rows chained from {@link AuditRow#GENESIS}, some column by column and some from events as the
     * writer makes them: nulls in every optional column, empty strings, non-ASCII and supplementary
     * characters, topics with {@code %} and {@code _}, two rows at the same millisecond, the largest
     * detail {@link AuditRow#safeDetail} lets through, and two pruning records.
     */
    private static List<AuditRow> scenario() {
        Chain c = new Chain();
        c.row(0, "AUTH", "ALLOW", "auth.ok", "alice", "[\"sensor\"]", "alice-1", "192.0.2.1", null, null, null, "{}");
        c.event(new SecurityEvent(at(10), EventType.ACL, Outcome.ALLOW, "acl.rule", "alice", Set.of("sensor"),
                "alice-1", null, "werk/straße/温度", Access.WRITE, null, Map.of("rule", "#1 werk/+/温度")));
        c.event(new SecurityEvent(at(20), EventType.ACL, Outcome.DENY, "acl.default-deny", "bob", Set.of(), "bob-1",
                "2001:db8::7", "werk/straße/温度/roh", Access.READ, null, Map.of()));
        c.event(new SecurityEvent(at(20), EventType.ACL, Outcome.ALLOW, "acl.rule", "alice", Set.of("sensor", "viewer"),
                "alice-1", null, "werk/strasse/temp", Access.SUBSCRIBE, null, Map.of("rule", "#2")));
        c.row(30, "ACL", "DENY", "acl.default-deny", "carol", "[]", "carol-1", null, "lab/50%_off/x", "WRITE", null,
                "{}");
        c.row(35, "ADMIN_CHANGE", "ALLOW", AuditRetention.PRUNED, null, "[]", null, null, null, null,
                AuditWriter.ACTOR, Json.object(Map.of(AuditRetention.FIRST_KEPT, "2", AuditRetention.PREVIOUS_HASH,
                        c.rows.get(0).hash(), "rows", "1", "older_than", "2026-11-01T10:00:00.124Z")));
        c.row(40, "ACL", "DENY", "acl.default-deny", "carol", "[]", "carol-1", null, "lab/50x_off/y", "READ", null,
                "{}");
        c.row(50, "ACL", "DENY", "acl.default-deny", "dave", "[]", "dave-1", null, "lab/5_/z", "READ", null, "{}");
        c.row(60, "ACL", "ALLOW", "acl.rule", "erin", "[\"viewer\"]", "erin-1", null, "Werk/straße/温度", "READ", null,
                "{\"rule\":\"#3\"}");
        c.row(70, "ACL", "ALLOW", "acl.rule", "😀", "[\"sensor\"]", "😀-1", null, "werk/😀/x", "WRITE", null,
                "{\"rule\":\"#1\"}");
        c.event(new SecurityEvent(at(80), EventType.ALERT, Outcome.ERROR, AuditWriter.EVENTS_LOST, null, null, null,
                null, null, null, AuditWriter.ACTOR, Map.of("lost", "3")));
        c.row(90, "AUTH", "DENY", "auth.unknown-user", "", "[]", "", null, null, null, null, "{}");
        Map<String, String> detail = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            detail.put("key-" + i, (i % 2 == 0 ? "v" : "ü\"\u0001").repeat(600));
        }
        Set<String> roles = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            roles.add("role-" + i + "-" + "r".repeat(120));
        }
        c.event(new SecurityEvent(at(100), EventType.ADMIN_CHANGE, Outcome.ALLOW, "account.updated", "ü".repeat(512),
                roles, "客".repeat(512), null, null, null, "admin", detail));
        c.row(110, "ADMIN_CHANGE", "ALLOW", AuditRetention.PRUNED, null, "[]", null, null, null, null,
                AuditWriter.ACTOR, Json.object(Map.of(AuditRetention.FIRST_KEPT, "3", AuditRetention.PREVIOUS_HASH,
                        c.rows.get(1).hash(), "rows", "2", "older_than", "2026-11-01T10:00:00.133Z")));
        return List.copyOf(c.rows);
    }

    private static Instant at(long millis) {
        return Instant.ofEpochMilli(T0 + millis);
    }

    private static AuditFilter filter(String username, String clientId, EventType type, Outcome outcome,
            String topicPrefix, Instant from, Instant to, Integer limit) {
        return new AuditFilter(username, clientId, type, outcome, topicPrefix, from, to, limit);
    }

    private static AuditFilter prefix(String topicPrefix) {
        return filter(null, null, null, null, topicPrefix, null, null, null);
    }

    private static Arguments search(String what, AuditFilter filter, long... expectedIds) {
        return Arguments.of(what, filter, Arrays.stream(expectedIds).boxed().toList());
    }

    /** Rows chained one after the other, ids from 1. */
    private static final class Chain {
        final List<AuditRow> rows = new ArrayList<>();

        void row(long millis, String type, String outcome, String reason, String username, String roles,
                String clientId, String address, String topic, String access, String actor, String detail) {
            rows.add(AuditRow.chained(rows.size() + 1, T0 + millis, type, outcome, reason, username, roles, clientId,
                    address, topic, access, actor, detail, head()));
        }

        void event(SecurityEvent event) {
            rows.add(AuditRow.of(rows.size() + 1, event, head()));
        }

        private String head() {
            return rows.isEmpty() ? AuditRow.GENESIS : rows.get(rows.size() - 1).hash();
        }
    }

    // ---- the statements, bound as the audit bundle binds them

    /** @return what {@code query} answers on SQLite, having checked PostgreSQL answers the same */
    private <T> T same(Function<Jdbi, T> query) {
        T onSqlite = query.apply(sqlite);
        T onPostgres = query.apply(postgres);
        assertThat(onPostgres).as("PostgreSQL's answer, expected to be SQLite's").isEqualTo(onSqlite);
        return onSqlite;
    }

    /** warden-store's schema table, as its migration runner creates it. */
    private static final String CREATE_SCHEMA_TABLE = "CREATE TABLE IF NOT EXISTS warden_schema ("
            + " owner VARCHAR(64) NOT NULL, version INTEGER NOT NULL, description VARCHAR(512) NOT NULL,"
            + " applied_at BIGINT NOT NULL, PRIMARY KEY (owner, version))";

    /** As warden-store's migration runner migrates the audit file, minus its bookkeeping of failures. */
    private static void migrate(Jdbi db) {
        db.useHandle(h -> h.execute(CREATE_SCHEMA_TABLE));
        for (var m : AuditTables.MIGRATIONS) {
            db.useTransaction(h -> {
                for (String sql : m.statements()) {
                    h.execute(sql);
                }
                h.createUpdate("INSERT INTO warden_schema (owner, version, description, applied_at)"
                        + " VALUES (:owner, :version, :description, :at)").bind("owner", AuditTables.OWNER)
                        .bind("version", m.version()).bind("description", m.description()).bind("at", T0).execute();
            });
        }
    }

    /** As the writer inserts: plain JDBC, one batch, positional binds in the order of {@code COLUMNS}. */
    private static void insert(Jdbi db, List<AuditRow> rows) throws SQLException {
        List<String> columns = Arrays.stream(AuditTables.COLUMNS.split(",")).map(String::trim).toList();
        db.useTransaction(h -> {
            try (PreparedStatement insert = h.getConnection().prepareStatement(AuditTables.INSERT)) {
                for (AuditRow r : rows) {
                    for (int i = 0; i < columns.size(); i++) {
                        Object value = value(r, columns.get(i));
                        if (value instanceof Long l) {
                            insert.setLong(i + 1, l);
                        } else {
                            insert.setString(i + 1, (String) value);
                        }
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    private static Object value(AuditRow r, String column) {
        return switch (column) {
            case "id" -> r.id();
            case "occurred_at" -> r.occurredAt();
            case "type" -> r.type();
            case "outcome" -> r.outcome();
            case "reason" -> r.reason();
            case "username" -> r.username();
            case "roles" -> r.roles();
            case "client_id" -> r.clientId();
            case "address" -> r.address();
            case "topic" -> r.topic();
            case "access" -> r.access();
            case "actor" -> r.actor();
            case "detail" -> r.detail();
            case "hash" -> r.hash();
            default -> throw new IllegalArgumentException("A column this test does not know: " + column);
        };
    }

    private static List<Integer> applied(Jdbi db) {
        return db.withHandle(h -> h.createQuery("SELECT version FROM warden_schema WHERE owner = :owner")
                .bind("owner", AuditTables.OWNER)
                .mapTo(Integer.class).list());
    }

    private static String text(Jdbi db, String sql) {
        return db.withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
    }

    /** As the writer reads the head of the chain. */
    private static Map.Entry<Long, String> head(Jdbi db) {
        return db.withHandle(h -> h.createQuery(AuditTables.SELECT_HEAD)
                .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getString("hash"))).one());
    }

    /** Every row, page by page as verify walks them. */
    private static List<AuditRow> walk(Jdbi db) {
        List<AuditRow> all = new ArrayList<>();
        long after = 0;
        List<AuditRow> page;
        while (!(page = page(db, after, 5)).isEmpty()) {
            all.addAll(page);
            after = page.get(page.size() - 1).id();
        }
        return all;
    }

    private static List<AuditRow> page(Jdbi db, long after, int n) {
        return db.withHandle(h -> h.createQuery(AuditTables.SELECT_PAGE).bind("after", after).bind("n", n)
                .map((rs, ctx) -> AuditRow.read(rs)).list());
    }

    private static List<AuditRow> tail(Jdbi db, int n) {
        return db.withHandle(h -> h.createQuery(AuditTables.SELECT_TAIL).bind("n", n)
                .map((rs, ctx) -> AuditRow.read(rs)).list());
    }

    private static List<Long> bounds(Jdbi db) {
        return db.withHandle(h -> h.createQuery(AuditTables.SELECT_BOUNDS)
                .map((rs, ctx) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).one());
    }

    private static Optional<String> hash(Jdbi db, long id) {
        return db.withHandle(h -> h.createQuery(AuditTables.SELECT_HASH).bind("id", id).mapTo(String.class)
                .findOne());
    }

    private static Optional<Long> lastBefore(Jdbi db, long cutoff) {
        return db.withHandle(h -> h.createQuery(AuditTables.SELECT_LAST_BEFORE).bind("cutoff", cutoff)
                .mapTo(Long.class).findOne());
    }

    private static Optional<AuditRow> lastPruning(Jdbi db) {
        return db.withHandle(h -> h.createQuery(AuditTables.SELECT_LAST_PRUNING).map((rs, ctx) -> AuditRow.read(rs))
                .findOne());
    }

    private static long delete(Jdbi db, long from, long to) {
        return db.inTransaction(h -> h.createUpdate(AuditTables.DELETE_RANGE).bind("from", from).bind("to", to)
                .execute());
    }

    /** The statement {@link AuditLog#search} runs, from the same code. */
    private static List<AuditRow> search(Jdbi db, AuditFilter filter) {
        return db.withHandle(h -> AuditLog.searchQuery(h, filter).map((rs, ctx) -> AuditRow.read(rs)).list());
    }

    private static void assertChained(List<AuditRow> rows, String previousHash) {
        String previous = previousHash;
        for (AuditRow r : rows) {
            assertThat(r.chainsTo(previous)).as("row %d chains to its predecessor", r.id()).isTrue();
            previous = r.hash();
        }
    }

    // ---- the server

    /** test-support's throwaway {@link PostgresServer}, with a source per database and schema. */
    private static final class Postgres implements AutoCloseable {

        private final PostgresServer server;

        private Postgres(PostgresServer server) {
            this.server = server;
        }

        static Postgres start() throws Exception {
            return new Postgres(PostgresServer.start());
        }

        /** @return a source for {@code database}, its tables in {@code schema} (or the default one) */
        PGSimpleDataSource source(String database, String schema) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(server.url().replace("/postgres?", "/" + database + "?")
                    + (schema == null ? "" : "&currentSchema=" + schema));
            return ds;
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }
}
