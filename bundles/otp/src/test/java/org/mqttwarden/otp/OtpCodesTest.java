package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.otp.OtpCodes.Check;
import org.mqttwarden.otp.OtpCodes.Issue;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.TestClock;

/** The limits of e-mailed codes on a real warden.db, with a clock the test moves. */
class OtpCodesTest {

    private static final byte[] KEY = "a code key of thirty-two bytes!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private SqliteDatabase db;
    private CodeHasher hasher;
    private OtpCodes codes;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        hasher = new CodeHasher(KEY, new SecureRandom());
        codes = new OtpCodes(db, hasher, CodePolicy.DEFAULTS, clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private String issue(String user, OtpPurpose purpose) {
        Issue i = codes.issue(user, purpose);
        assertThat(i).isInstanceOf(Issue.Issued.class);
        return ((Issue.Issued) i).code();
    }

    @Test
    void aCodeHasEightDigitsIsKeptOnlyAsAKeyedHashAndIsAcceptedOnce() throws Exception {
        String code = issue("alice", OtpPurpose.RESET);
        assertThat(code).matches("[0-9]{8}");
        try (var c = db.dataSource().getConnection(); var rs = c.createStatement()
                .executeQuery("SELECT code_hash FROM warden_otp_code")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).hasSize(64).doesNotContain(code)
                    .isNotEqualTo(new CodeHasher(new byte[32], new SecureRandom()).hash(OtpPurpose.RESET, "alice", code));
        }
        assertThat(codes.confirm("alice", OtpPurpose.UNLOCK, code)).as("another purpose").isEqualTo(Check.NONE);
        assertThat(codes.confirm("bob", OtpPurpose.RESET, code)).as("another account").isEqualTo(Check.NONE);
        assertThat(codes.confirm("alice", OtpPurpose.RESET, code)).isEqualTo(Check.ACCEPTED);
        assertThat(codes.confirm("alice", OtpPurpose.RESET, code)).as("used once").isEqualTo(Check.NONE);
    }

    @Test
    void aCodeExpiresAfterItsLifetime() {
        String code = issue("alice", OtpPurpose.UNLOCK);
        clock.advance(Duration.ofMinutes(10));
        assertThat(codes.confirm("alice", OtpPurpose.UNLOCK, code)).isEqualTo(Check.EXPIRED);
        assertThat(codes.confirm("alice", OtpPurpose.UNLOCK, code)).isEqualTo(Check.NONE);
    }

    @Test
    void aCodeIsValidUntilJustBeforeItsLifetimeEnds() {
        String code = issue("alice", OtpPurpose.UNLOCK);
        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(codes.confirm("alice", OtpPurpose.UNLOCK, code)).isEqualTo(Check.ACCEPTED);
    }

    @Test
    void fiveWrongTriesKillTheCodeTheRightOneIncluded() {
        String code = issue("alice", OtpPurpose.RESET);
        String wrong = code.equals("00000000") ? "11111111" : "00000000";
        for (int i = 0; i < 4; i++) {
            assertThat(codes.confirm("alice", OtpPurpose.RESET, wrong)).isEqualTo(Check.WRONG);
        }
        assertThat(codes.pending("alice")).singleElement().extracting(OtpCodes.Pending::attemptsLeft).isEqualTo(1);
        assertThat(codes.confirm("alice", OtpPurpose.RESET, wrong)).isEqualTo(Check.EXHAUSTED);
        assertThat(codes.confirm("alice", OtpPurpose.RESET, code)).isEqualTo(Check.NONE);
        assertThat(codes.pending("alice")).isEmpty();
    }

    @Test
    void aNewCodeWaitsForTheCooldownAndKillsTheOlderOne() {
        String first = issue("alice", OtpPurpose.RESET);
        Issue tooSoon = codes.issue("alice", OtpPurpose.RESET);
        assertThat(tooSoon).isEqualTo(new Issue.Refused(OtpCodes.COOLDOWN, TestClock.T0.plusSeconds(60)));
        assertThat(codes.issue("alice", OtpPurpose.UNLOCK)).as("another purpose has its own cooldown")
                .isInstanceOf(Issue.Issued.class);
        clock.advance(Duration.ofSeconds(60));
        String second = issue("alice", OtpPurpose.RESET);
        if (!second.equals(first)) {
            assertThat(codes.confirm("alice", OtpPurpose.RESET, first)).as("killed by the new one")
                    .isEqualTo(Check.WRONG);
        }
        assertThat(codes.confirm("alice", OtpPurpose.RESET, second)).isEqualTo(Check.ACCEPTED);
    }

    @Test
    void atMostFiveCodesAnHourPerAccountAndPurpose() {
        for (int i = 0; i < 5; i++) {
            issue("alice", OtpPurpose.RESET);
            clock.advance(Duration.ofMinutes(2));
        }
        // sent at T0, +2, +4, +6, +8 min; now +10 min: the sixth waits for the first to be an hour old
        assertThat(codes.issue("alice", OtpPurpose.RESET))
                .isEqualTo(new Issue.Refused(OtpCodes.HOURLY_CAP, TestClock.T0.plus(Duration.ofHours(1))));
        assertThat(codes.issue("bob", OtpPurpose.RESET)).isInstanceOf(Issue.Issued.class);
        clock.set(TestClock.T0.plus(Duration.ofHours(1)).plusMillis(1));
        assertThat(codes.issue("alice", OtpPurpose.RESET)).isInstanceOf(Issue.Issued.class);
    }

    @Test
    void aRestartChangesNothing() {
        String code = issue("alice", OtpPurpose.VERIFY);
        codes.confirm("alice", OtpPurpose.VERIFY, code.equals("00000000") ? "11111111" : "00000000");
        db.close();
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        codes = new OtpCodes(db, hasher, CodePolicy.DEFAULTS, clock);
        assertThat(codes.pending("alice")).singleElement().satisfies(p -> {
            assertThat(p.purpose()).isEqualTo(OtpPurpose.VERIFY);
            assertThat(p.attemptsLeft()).isEqualTo(4);
            assertThat(p.expiresAt()).isEqualTo(TestClock.T0.plus(Duration.ofMinutes(10)));
        });
        assertThat(codes.issue("alice", OtpPurpose.VERIFY)).as("the cooldown survives too")
                .isInstanceOf(Issue.Refused.class);
        assertThat(codes.confirm("alice", OtpPurpose.VERIFY, code)).isEqualTo(Check.ACCEPTED);
    }

    @Test
    void theRightCodeGivenManyTimesAtOnceIsAcceptedOnce() throws Exception {
        String code = issue("alice", OtpPurpose.UNLOCK);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Check>> tries = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                tries.add(() -> codes.confirm("alice", OtpPurpose.UNLOCK, code));
            }
            List<Check> results = new ArrayList<>();
            for (Future<Check> f : pool.invokeAll(tries, 60, TimeUnit.SECONDS)) {
                results.add(f.get());
            }
            assertThat(results).filteredOn(c -> c == Check.ACCEPTED).hasSize(1);
            assertThat(results).filteredOn(c -> c != Check.ACCEPTED).containsOnly(Check.NONE);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNullOrMalformedCodeIsAWrongTryNotAnError() {
        issue("alice", OtpPurpose.RESET);
        assertThat(codes.confirm("alice", OtpPurpose.RESET, null)).isEqualTo(Check.WRONG);
        assertThat(codes.confirm("alice", OtpPurpose.RESET, "")).isEqualTo(Check.WRONG);
        assertThat(codes.confirm("alice", OtpPurpose.RESET, "x'; DROP TABLE warden_otp_code; --"))
                .isEqualTo(Check.WRONG);
        assertThat(codes.pending("alice")).singleElement().extracting(OtpCodes.Pending::attemptsLeft).isEqualTo(2);
    }

    @Test
    void limitsOutsideTheirRangesAreRefusedNamingTheKey() {
        assertThatIllegalArgumentException().isThrownBy(() -> codes.policy(new CodePolicy(5, Duration.ofMinutes(11),
                0, Duration.ofSeconds(-1), 21))).withMessageContaining("code.length")
                .withMessageContaining("code.ttl.minutes").withMessageContaining("code.max.attempts")
                .withMessageContaining("code.cooldown.seconds").withMessageContaining("code.max.per.hour");
        assertThat(codes.policy()).isEqualTo(CodePolicy.DEFAULTS);
        assertThatIllegalArgumentException().isThrownBy(() -> new CodeHasher(new byte[31], new SecureRandom()));
    }

    @Test
    void purposesAreTypedAsShown() {
        assertThat(OtpPurpose.of("unlock")).isEqualTo(OtpPurpose.UNLOCK);
        assertThatIllegalArgumentException().isThrownBy(() -> OtpPurpose.of("UNLOCK"))
                .withMessageContaining("verify, reset or unlock");
    }
}
