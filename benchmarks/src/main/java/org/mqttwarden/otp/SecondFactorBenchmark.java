package org.mqttwarden.otp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.codec.binary.Base32;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.TestClock;
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
 * What warden-otp's TOTP second step adds to a login, in process, on a real SQLite warden.db (in the package of
 * warden-otp, whose enrolments take a clock only there):
 * <ul>
 * <li>{@code none}: the engine without a second factor, a remembered login (a device's reconnect);</li>
 * <li>{@code bound}: warden-otp's enrolments bound to the engine, the same login of an account that is not
 * enrolled: the only added work is the in-memory "is it enrolled?" (the "accounts without TOTP stay as
 * fast");</li>
 * <li>{@code totp}: an enrolled account logging in with its remembered password and a fresh code each time (the
 * clock moves one 30 s step per login, since a code is taken once): the row read, AES-GCM open, three HMAC-SHA1
 * candidates and the durable UPDATE of the last step, plus the benchmark's own HMAC making the code.</li>
 * </ul>
 * <pre>java -cp ... org.openjdk.jmh.Main SecondFactorBenchmark -f 2 -wi 5 -i 10</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(2)
public class SecondFactorBenchmark {

    private static final String PASSWORD = "bench totp password 42";
    private static final byte[] KEY = "a bench key of thirty-two bytes!".getBytes(StandardCharsets.US_ASCII);

    @Param({"none", "bound", "totp"})
    String installed;

    private Path dir;
    private SqliteDatabase db;
    private Authenticator engine;
    private final TestClock clock = new TestClock();
    private byte[] secret;
    private Credentials device;

    @Setup(Level.Trial)
    public void start() throws IOException {
        dir = Files.createTempDirectory("warden-totp-bench");
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        AuthStack auth = AuthStack.on(new JdbiAccountStore(db));
        engine = auth.authenticator();
        auth.sink(event -> CompletableFuture.completedFuture(null));
        auth.accounts().createAccount("bench-device", PASSWORD, Set.of("sensor"), null, "bench");
        auth.accounts().createAccount("bench-operator", PASSWORD, Set.of("admin"), null, "bench");
        device = new Credentials("bench-device", PASSWORD, "plc-bench-1");
        if (!installed.equals("none")) {
            TotpEnrollments totp = new TotpEnrollments(db, KEY, clock, new SecureRandom());
            auth.secondFactor(totp);
            String uri = totp.enroll("bench-operator");
            secret = new Base32().decode(uri.replaceAll(".*secret=([A-Z2-7]+).*", "$1"));
        }
        Decision first = installed.equals("totp") ? operatorLogin() : engine.authenticate(device);
        if (!first.allowed()) {
            throw new IllegalStateException("the bench account does not log in: " + first);
        }
    }

    private Decision operatorLogin() {
        clock.advance(Duration.ofSeconds(30));
        return engine.authenticate(new Credentials("bench-operator", PASSWORD + Totp.code(secret, clock.instant()),
                "console-1"));
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        if (installed.equals("totp") && !operatorLogin().allowed()) {
            throw new IllegalStateException("TOTP logins stopped being allowed: the figures would be of refusals");
        }
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Decision login() {
        return installed.equals("totp") ? operatorLogin() : engine.authenticate(device);
    }
}
