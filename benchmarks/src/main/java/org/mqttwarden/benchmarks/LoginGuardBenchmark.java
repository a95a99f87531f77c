package org.mqttwarden.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import org.mqttwarden.alerts.AlertDetector;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.lockout.LockoutGuard;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What warden-lockout adds to a remembered login (go-auth's reconnect of a known device), in process:
 * the decision engine's {@code authenticate} on a real SQLite store with no guard, with the lockout guard,
 * and with the guard and the alert detector (the {@code warden-lockout} feature as installed). In all three an
 * event sink that only counts stands for the audit log (installed with {@code warden} in every phase of the
 * end-to-end run), so the engine builds its events in all three and the difference is warden-lockout's own. The HTTP
 * round trip is left out on purpose: it is the same in all three and would drown a microsecond in
 * scheduler noise (see BENCHMARKS.md section 8 for the end-to-end run).
 *
 * <pre>java -cp ... org.openjdk.jmh.Main LoginGuardBenchmark -f 2 -wi 5 -i 10</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(2)
public class LoginGuardBenchmark {

    private static final String PASSWORD = "bench guard password 42";

    @Param({"none", "guard", "guard+alerts"})
    String installed;

    private Path dir;
    private SqliteDatabase db;
    private Authenticator engine;
    private AlertDetector detector;
    private Credentials credentials;
    private final LongAdder events = new LongAdder();
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    @Setup(Level.Trial)
    public void start() throws IOException {
        dir = Files.createTempDirectory("warden-guard-bench");
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        JdbiAccountStore store = new JdbiAccountStore(db);
        // cheapest bcrypt, no first-start accounts, no guard required
        AuthStack auth = AuthStack.on(store);
        engine = auth.authenticator();
        auth.sink(event -> {
            events.increment();
            return DONE;
        });
        auth.accounts().createAccount("bench-guard", PASSWORD, Set.of("sensor"), null, "bench");
        if (!installed.equals("none")) {
            auth.guard(new LockoutGuard(db, Configs.defaults(LockoutGuard.Config.class)));
            if (installed.equals("guard+alerts")) {
                detector = new AlertDetector(db, null, Configs.defaults(AlertDetector.Config.class));
                auth.sink(detector);
                detector.setEvents(auth.eventObjects());
            }
        }
        credentials = new Credentials("bench-guard", PASSWORD, "plc-bench-1");
        if (!engine.authenticate(credentials).allowed()) {
            throw new IllegalStateException("the bench account does not log in");
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        if (events.sum() == 0) {
            throw new IllegalStateException("the engine built no events: the comparison would be unfair");
        }
        if (detector != null) {
            System.out.println("alert detector: " + detector.counters());
            detector.close();
        }
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Decision rememberedLogin() {
        return engine.authenticate(credentials);
    }
}
