package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.TestClock;

/** TOTP enrolments on a real warden.db, with a clock the test moves. */
class TotpEnrollmentsTest {

    private static final byte[] KEY = "a totp key of thirty-two bytes!!".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private SqliteDatabase db;
    private TotpEnrollments totp;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        totp = new TotpEnrollments(db, KEY, clock, new SecureRandom());
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** @return the secret of an {@code otpauth://} URI, as an authenticator app reads it */
    static byte[] secretOf(String uri) {
        String base32 = uri.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1");
        return new Base32().decode(base32);
    }

    private String codeAt(byte[] secret, Instant at) {
        return Totp.code(secret, at);
    }

    @Test
    void theEnrolmentUriIsWhatAuthenticatorAppsReadAndTheSecretHas160Bits() {
        String uri = totp.enroll("alice");
        assertThat(uri).startsWith("otpauth://totp/MQTT%20Warden:alice?secret=")
                .endsWith("&issuer=MQTT%20Warden&algorithm=SHA1&digits=6&period=30");
        assertThat(secretOf(uri)).hasSize(20);
        assertThat(totp.required("alice")).isTrue();
        assertThat(totp.required("bob")).isFalse();
        assertThat(totp.required(null)).isFalse();
    }

    @Test
    void aCodeIsAcceptedOnceAndOnlyWithinOneStepOfDrift() {
        byte[] secret = secretOf(totp.enroll("alice"));
        Instant now = clock.instant();
        String code = codeAt(secret, now);
        assertThat(totp.verify("alice", code)).isTrue();
        assertThat(totp.verify("alice", code)).as("a replay of the same code").isFalse();
        assertThat(totp.verify("alice", codeAt(secret, now.minusSeconds(30))))
                .as("an older step than one accepted").isFalse();
        assertThat(totp.verify("alice", codeAt(secret, now.plusSeconds(30)))).as("one step ahead").isTrue();

        clock.advance(Duration.ofMinutes(5));
        Instant later = clock.instant();
        assertThat(totp.verify("alice", codeAt(secret, later.minusSeconds(60)))).as("two steps old").isFalse();
        assertThat(totp.verify("alice", codeAt(secret, later.plusSeconds(60)))).as("two steps ahead").isFalse();
        assertThat(totp.verify("alice", codeAt(secret, later.minusSeconds(30)))).as("one step old").isTrue();
        assertThat(totp.verify("bob", codeAt(secret, later))).as("not enrolled").isFalse();
    }

    @Test
    void malformedCodesAreRefusedWithoutALookup() {
        byte[] secret = secretOf(totp.enroll("alice"));
        String good = codeAt(secret, clock.instant());
        for (String bad : new String[] {null, "", "12345", "1234567", "12 456", "１２３４５６", "abcdef",
                good + "\u0000"}) {
            assertThat(totp.verify("alice", bad)).as("code %s", bad).isFalse();
        }
        assertThat(totp.verify("alice", good)).as("the malformed tries spent nothing").isTrue();
    }

    @Test
    void racingLoginsWithOneCodeGetInOnce() throws Exception {
        byte[] secret = secretOf(totp.enroll("alice"));
        String code = codeAt(secret, clock.instant());
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<Boolean> login = () -> {
                    start.await();
                    return totp.verify("alice", code);
                };
                results.add(pool.submit(login));
            }
            start.countDown();
            int in = 0;
            for (Future<Boolean> r : results) {
                in += r.get() ? 1 : 0;
            }
            assertThat(in).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void enrolmentAndTheLastAcceptedStepSurviveARestart() {
        byte[] secret = secretOf(totp.enroll("alice"));
        String code = codeAt(secret, clock.instant());
        assertThat(totp.verify("alice", code)).isTrue();

        TotpEnrollments restarted = new TotpEnrollments(db, KEY, clock, new SecureRandom());
        assertThat(restarted.required("alice")).isTrue();
        assertThat(restarted.verify("alice", code)).as("replayed after a restart").isFalse();
        assertThat(restarted.verify("alice", codeAt(secret, clock.instant().plusSeconds(30)))).isTrue();
    }

    @Test
    void theSecretIsStoredSealedAndUselessUnderAnotherKey() throws Exception {
        String uri = totp.enroll("alice");
        byte[] secret = secretOf(uri);
        String base32 = uri.replaceAll(".*secret=([A-Z2-7]+).*", "$1");
        try (Connection c = db.dataSource().getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT secret FROM warden_otp_totp")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("v1:").doesNotContain(base32);
        }
        assertThat(Files.readAllBytes(dir.resolve("warden.db"))).asString(StandardCharsets.ISO_8859_1)
                .doesNotContain(base32);

        byte[] other = "another key of thirty-two bytes!".getBytes(StandardCharsets.US_ASCII);
        TotpEnrollments wrongKey = new TotpEnrollments(db, other, clock, new SecureRandom());
        assertThat(wrongKey.verify("alice", codeAt(secret, clock.instant()))).isFalse();
    }

    @Test
    void aSecretMovedToAnotherAccountsRowDoesNotOpen() throws Exception {
        byte[] secret = secretOf(totp.enroll("alice"));
        totp.enroll("mallory");
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().executeUpdate("UPDATE warden_otp_totp SET secret = (SELECT secret FROM"
                    + " warden_otp_totp WHERE username = 'alice') WHERE username = 'mallory'");
        }
        assertThat(totp.verify("mallory", codeAt(secret, clock.instant()))).isFalse();
    }

    @Test
    void reEnrollingKillsTheOldSecretAndDisablingEndsTheStep() {
        byte[] old = secretOf(totp.enroll("alice"));
        byte[] fresh = secretOf(totp.enroll("alice"));
        assertThat(fresh).isNotEqualTo(old);
        assertThat(totp.verify("alice", codeAt(old, clock.instant()))).isFalse();
        assertThat(totp.verify("alice", codeAt(fresh, clock.instant()))).isTrue();

        assertThat(totp.disable("alice")).isTrue();
        assertThat(totp.required("alice")).isFalse();
        assertThat(totp.verify("alice", codeAt(fresh, clock.instant().plusSeconds(30)))).isFalse();
        assertThat(totp.disable("alice")).as("already off").isFalse();
        assertThat(new TotpEnrollments(db, KEY, clock, new SecureRandom()).required("alice")).isFalse();
    }
}
