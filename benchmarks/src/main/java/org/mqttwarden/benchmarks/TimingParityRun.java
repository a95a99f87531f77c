package org.mqttwarden.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.mindrot.jbcrypt.BCrypt;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;

/**
 * Timing parity of a wrong password (issue 10): how long the engine takes to refuse a wrong password for an
 * unknown username and for accounts whose hash has the configured cost, a lower or higher cost, or is plain
 * bcrypt (an import), in process, no guard, no sink. Medians of {@code --rounds} refusals each, interleaved.
 *
 * <pre>java -cp $CP org.mqttwarden.benchmarks.TimingParityRun [--cost 11] [--rounds 40]</pre>
 */
public final class TimingParityRun {

    private TimingParityRun() {
    }

    public static void main(String[] args) throws Exception {
        int cost = 11;
        int rounds = 40;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cost" -> cost = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Map<String, Object> config = Map.of("bcrypt.cost", cost);
        Path dir = Files.createTempDirectory("parity");
        SqliteDatabase db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        try {
            JdbiAccountStore store = new JdbiAccountStore(db);
            String pw = "the right typed password";
            Map<String, String> hashes = new LinkedHashMap<>();
            hashes.put("configured cost " + cost + " (Warden's form)", "bcrypt-sha256" + BCrypt.hashpw(
                    "x", BCrypt.gensalt(cost)));
            hashes.put("plain bcrypt, cost " + cost + " (import)", BCrypt.hashpw(pw, BCrypt.gensalt(cost)));
            hashes.put("plain bcrypt, cost " + (cost - 1), BCrypt.hashpw(pw, BCrypt.gensalt(cost - 1)));
            hashes.put("plain bcrypt, cost " + (cost - 3), BCrypt.hashpw(pw, BCrypt.gensalt(cost - 3)));
            hashes.put("plain bcrypt, cost " + (cost + 1), BCrypt.hashpw(pw, BCrypt.gensalt(cost + 1)));
            int n = 0;
            Map<String, String> users = new LinkedHashMap<>();
            users.put("unknown username (dummy check)", "nobody-here");
            for (Map.Entry<String, String> h : hashes.entrySet()) {
                String name = "acct-" + n++;
                store.insertAccount(new StoredAccount(name, h.getValue(), Set.of("sensor"), null, true, Instant.now(),
                        Instant.now()));
                users.put(h.getKey(), name);
            }
            Authenticator engine = AuthStack.on(store, config).authenticator();
            Map<String, long[]> times = new LinkedHashMap<>();
            for (String k : users.keySet()) {
                times.put(k, new long[rounds]);
            }
            for (int warm = 0; warm < 3; warm++) {
                for (String u : users.values()) {
                    engine.authenticate(new Credentials(u, "a wrong password " + warm, u));
                }
            }
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, String> u : users.entrySet()) {
                    long t0 = System.nanoTime();
                    boolean ok = engine.authenticate(new Credentials(u.getValue(), "a wrong password " + r,
                            u.getValue())).allowed();
                    times.get(u.getKey())[r] = System.nanoTime() - t0;
                    if (ok) {
                        throw new IllegalStateException("a wrong password was accepted");
                    }
                }
            }
            double unknown = median(times.get("unknown username (dummy check)"));
            System.out.printf("## Wrong password, bcrypt.cost %d, median of %d (ms)%n%n", cost, rounds);
            System.out.println("| account | median ms | vs unknown username |");
            System.out.println("|---|---|---|");
            for (Map.Entry<String, long[]> t : times.entrySet()) {
                double m = median(t.getValue());
                System.out.printf("| %s | %.1f | %+.0f %% |%n", t.getKey(), m, (m / unknown - 1) * 100);
            }
        } finally {
            db.close();
        }
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }
}
