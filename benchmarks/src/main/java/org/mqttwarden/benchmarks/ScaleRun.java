package org.mqttwarden.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.lockout.LockoutGuard;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;

/**
 * How the decision engine grows with the number of accounts (issue 9, "scale"): a real SQLite
 * {@code warden.db} with N device accounts, each holding the sensor role (or one of R custom roles) and
 * one rule of its own, then the engine as the gateway runs it, in this JVM (run it with the gateway's
 * heap, {@code -Xmx128m -XX:+UseSerialGC}). Prints the heap used after a full GC at each stage, the first
 * logins after a "restart", ACL answers for every account, and how long a rule change takes to be in
 * force.
 *
 * <pre>
 * java -Xmx128m -XX:+UseSerialGC -cp $CP org.mqttwarden.benchmarks.ScaleRun --accounts 100000 [--roles 10000]
 *     [--histogram]                 (a class histogram once every account is decided)
 *     [--populate data/warden/warden.db]   (only fill that file, for a gateway run, and write the secrets beside it)
 *     [--typed]                     (every account with a typed password, bcrypt, instead of a generated secret)
 *     [--guard]                     (every account logs in once through the lockout guard, which then trusts its
 *                                    client id; the heap of a guard started again on that state is measured)
 * </pre>
 */
public final class ScaleRun {

    private ScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        int accounts = 100_000;
        int roles = 0;
        boolean histogram = false;
        Path populateOnly = null;
        boolean typed = false;
        boolean guard = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--accounts" -> accounts = Integer.parseInt(args[++i]);
                case "--roles" -> roles = Integer.parseInt(args[++i]);
                case "--histogram" -> histogram = true;
                case "--populate" -> populateOnly = Path.of(args[++i]);
                case "--typed" -> typed = true;
                case "--guard" -> guard = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = populateOnly != null ? populateOnly.toAbsolutePath().getParent()
                : Files.createTempDirectory("warden-scale");
        Path file = populateOnly != null ? populateOnly.toAbsolutePath() : dir.resolve("warden.db");
        Map<String, Object> config = Map.of("bcrypt.cost", 11);

        // populate: one account made the real way for its hash, the rest copied in bulk (same secret)
        String secret;
        SqliteDatabase db = open(file);
        try {
            JdbiAccountStore store = new JdbiAccountStore(db);
            AccountService admin = AuthStack.on(store, config).accounts();
            // --typed: a password a person would type (bcrypt), else a generated secret (fast hash)
            secret = typed ? "a typed device password 7" : admin.generatePassword();
            String hash;
            admin.createAccount("probe", secret, Set.of("sensor"), null, "scale");
            hash = store.findAccount("probe").orElseThrow().passwordHash();
            long t0 = System.nanoTime();
            populate(db, accounts, roles, hash);
            System.out.printf("populated %d accounts, %d roles in %.1f s; file %.1f MiB%n", accounts, roles,
                    (System.nanoTime() - t0) / 1e9, Files.size(file) / 1048576.0);
        } finally {
            db.close();
        }
        if (populateOnly != null) {
            // for a gateway run: the secret of every account, for LoadRun --users-file
            Path users = dir.resolve("scale-users.txt");
            try (var out = Files.newBufferedWriter(users)) {
                for (int i = 0; i < accounts; i++) {
                    out.write(name(i) + ":" + secret + "\n");
                }
            }
            System.out.printf("kept %s; username:password lines in %s%n", file, users);
            return;
        }

        long base = usedAfterGc();
        System.out.printf("heap used before the engine: %.1f MiB%n", base / 1048576.0);
        db = open(file);
        try {
            JdbiAccountStore store = new JdbiAccountStore(db);
            AuthStack auth = AuthStack.on(store, config);
            AccountService admin = auth.accounts();
            Authenticator login = auth.authenticator();
            Authorizer acl = auth.authorizer();

            // first logins after a restart: 1 000 devices, one after the other
            long t0 = System.nanoTime();
            int ok = 0;
            int logins = Math.min(1000, accounts);
            for (int i = 0; i < logins; i++) {
                ok += login.authenticate(new Credentials(name(i), secret, name(i))).allowed() ? 1 : 0;
            }
            double loginSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("first logins after a restart: %d/%d allowed, %.3f s in all, %.1f us each%n", ok,
                    logins, loginSeconds, loginSeconds * 1e6 / logins);

            // every account publishes to its own namespace and reads its own rule's topic once
            t0 = System.nanoTime();
            int allowed = 0;
            for (int i = 0; i < accounts; i++) {
                ClientRef c = new ClientRef(name(i), name(i), null);
                allowed += acl.authorize(c, name(i) + "/temp", Access.WRITE).allowed() ? 1 : 0;
                allowed += acl.authorize(c, "plant/" + name(i) + "/cmd/x", Access.READ).allowed() ? 1 : 0;
            }
            double aclSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("ACL, every account twice (uncached): %d/%d allowed, %.1f us each%n", allowed,
                    2 * accounts, aclSeconds * 1e6 / (2.0 * accounts));
            long full = usedAfterGc();
            System.out.printf("heap used with every account decided: %.1f MiB (+%.1f MiB over the store alone,"
                    + " %.0f bytes per account)%n", full / 1048576.0, (full - base) / 1048576.0,
                    (full - base) / (double) accounts);
            if (histogram) {
                new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
                        .inheritIO().start().waitFor();
            }

            // a rule change: in force for the next decision
            ClientRef last = new ClientRef(name(accounts - 1), name(accounts - 1), null);
            String topic = "plant/new/" + name(accounts - 1);
            Decision before = acl.authorize(last, topic, Access.WRITE);
            t0 = System.nanoTime();
            admin.addRule(new AclRule(0, SubjectType.ACCOUNT, name(accounts - 1), topic, Permission.WRITE, ""),
                    "scale");
            Decision after = acl.authorize(last, topic, Access.WRITE);
            double changeMs = (System.nanoTime() - t0) / 1e6;
            System.out.printf("rule change: %s -> %s, acl-add + next decision %.1f ms%n", before.reason(),
                    after.reason(), changeMs);
            t0 = System.nanoTime();
            acl.authorize(new ClientRef(name(0), name(0), null), name(0) + "/temp", Access.WRITE);
            System.out.printf("first decision of another account after the change: %.2f ms%n",
                    (System.nanoTime() - t0) / 1e6);
            System.out.printf("heap used after the change: %.1f MiB%n", usedAfterGc() / 1048576.0);
            System.out.printf("engine counters: %s%n", auth.metrics().counters());
            if (guard) {
                measureGuard(db, auth, accounts, secret);
            }
        } finally {
            db.close();
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    /** Every account logs in once from its own client id through the guard, then a new guard loads that state. */
    private static void measureGuard(SqliteDatabase db, AuthStack auth, int accounts, String secret) {
        LockoutGuard.Config config = Configs.defaults(LockoutGuard.Config.class);
        LockoutGuard first = new LockoutGuard(db, config);
        auth.guard(first);
        long t0 = System.nanoTime();
        int ok = 0;
        for (int i = 0; i < accounts; i++) {
            ok += auth.authenticator().authenticate(new Credentials(name(i), secret, name(i))).allowed() ? 1 : 0;
        }
        System.out.printf("logins through the lockout guard: %d/%d allowed, %.1f us each%n", ok, accounts,
                (System.nanoTime() - t0) / 1e3 / accounts);

        long before = usedAfterGc();
        t0 = System.nanoTime();
        LockoutGuard restarted = new LockoutGuard(db, config);
        double startMs = (System.nanoTime() - t0) / 1e6;
        long after = usedAfterGc();
        System.out.printf("a lockout guard started on that state: %.0f ms, +%.1f MiB heap (%.0f bytes per trusted"
                + " account); gauges %s%n", startMs, (after - before) / 1048576.0, (after - before) / (double) accounts,
                restarted.gauges());

    }

    private static SqliteDatabase open(Path file) {
        return new SqliteDatabase(file, 5000, 4);
    }

    private static String name(int i) {
        return "dev-" + i;
    }

    private static void populate(SqliteDatabase db, int accounts, int roles, String hash) throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            long ruleId;
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT MAX(id) FROM warden_acl_rule")) {
                rs.next();
                ruleId = rs.getLong(1) + 1;
            }
            List<String> roleNames = new ArrayList<>();
            try (PreparedStatement role = c.prepareStatement("INSERT INTO warden_role (name, superuser, built_in,"
                    + " description) VALUES (?, FALSE, FALSE, 'scale')");
                    PreparedStatement rule = c.prepareStatement("INSERT INTO warden_acl_rule (id, subject_type,"
                            + " subject, topic_filter, permission, comment) VALUES (?, ?, ?, ?, ?, '')")) {
                for (int r = 0; r < roles; r++) {
                    String name = "role-" + r;
                    roleNames.add(name);
                    role.setString(1, name);
                    role.addBatch();
                    rule.setLong(1, ruleId++);
                    rule.setString(2, "ROLE");
                    rule.setString(3, name);
                    rule.setString(4, "%u/#");
                    rule.setString(5, "READWRITE");
                    rule.addBatch();
                }
                role.executeBatch();
                rule.executeBatch();
            }
            try (PreparedStatement account = c.prepareStatement("INSERT INTO warden_account (username,"
                    + " password_hash, email, enabled, created_at, updated_at) VALUES (?, ?, NULL, TRUE, ?, ?)");
                    PreparedStatement grant = c.prepareStatement("INSERT INTO warden_account_role (username, role)"
                            + " VALUES (?, ?)");
                    PreparedStatement rule = c.prepareStatement("INSERT INTO warden_acl_rule (id, subject_type,"
                            + " subject, topic_filter, permission, comment) VALUES (?, 'ACCOUNT', ?, ?, 'READ', '')")) {
                for (int i = 0; i < accounts; i++) {
                    account.setString(1, name(i));
                    account.setString(2, hash);
                    account.setLong(3, now);
                    account.setLong(4, now);
                    account.addBatch();
                    grant.setString(1, name(i));
                    grant.setString(2, roles == 0 ? "sensor" : roleNames.get(i % roles));
                    grant.addBatch();
                    rule.setLong(1, ruleId++);
                    rule.setString(2, name(i));
                    rule.setString(3, "plant/" + name(i) + "/cmd/#");
                    rule.addBatch();
                    if (i % 5000 == 4999) {
                        account.executeBatch();
                        grant.executeBatch();
                        rule.executeBatch();
                    }
                }
                account.executeBatch();
                grant.executeBatch();
                rule.executeBatch();
            }
            c.commit();
        }
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
