package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mqttwarden.api.store.StoredAccount;
import org.mqttwarden.testsupport.TestClock;

/** Remembered verifications last the TTL on the engine's clock, end with any change, and stay bounded. */
class VerifiedCredentialsTest {

    private final TestClock clock = new TestClock();
    private final SecureRandom random = new SecureRandom();

    private StoredAccount account(String name, String hash, Instant updated) {
        return new StoredAccount(name, hash, Set.of("sensor"), null, true, TestClock.T0, updated);
    }

    @Test
    void aVerificationIsRememberedForTheTtlAndNotAMomentLonger() {
        VerifiedCredentials verified = new VerifiedCredentials(120_000, 100, random, clock);
        StoredAccount a = account("plc-1", "h1", TestClock.T0);
        verified.remember(a, "pw");
        clock.advance(Duration.ofSeconds(119));
        assertThat(verified.isRemembered(a, "pw")).isTrue();
        assertThat(verified.isRemembered(a, "another")).as("only the password verified").isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(verified.isRemembered(a, "pw")).isFalse();
    }

    @Test
    void anyChangeToTheAccountEndsIt() {
        VerifiedCredentials verified = new VerifiedCredentials(120_000, 100, random, clock);
        StoredAccount a = account("plc-1", "h1", TestClock.T0);
        verified.remember(a, "pw");
        assertThat(verified.isRemembered(account("plc-1", "h2", TestClock.T0), "pw")).as("new hash").isFalse();
        verified.remember(a, "pw");
        assertThat(verified.isRemembered(account("plc-1", "h1", TestClock.T0.plusSeconds(1)), "pw"))
                .as("updated since").isFalse();
        verified.remember(a, "pw");
        StoredAccount disabled = new StoredAccount("plc-1", "h1", Set.of("sensor"), null, false, TestClock.T0,
                TestClock.T0);
        assertThat(verified.isRemembered(disabled, "pw")).as("disabled").isFalse();
        assertThat(verified.isRemembered(a, "pw")).as("a dropped entry stays dropped").isFalse();
    }

    @Test
    void holdsNoMoreThanItsBound() {
        VerifiedCredentials verified = new VerifiedCredentials(120_000, 10, random, clock);
        for (int i = 0; i < 1000; i++) {
            verified.remember(account("plc-" + i, "h", TestClock.T0), "pw");
        }
        int remembered = 0;
        for (int i = 0; i < 1000; i++) {
            remembered += verified.isRemembered(account("plc-" + i, "h", TestClock.T0), "pw") ? 1 : 0;
        }
        assertThat(remembered).isBetween(1, 10);
    }

    @Test
    void aZeroTtlRemembersNothing() {
        VerifiedCredentials verified = new VerifiedCredentials(0, 10, random, clock);
        StoredAccount a = account("plc-1", "h1", TestClock.T0);
        verified.remember(a, "pw");
        assertThat(verified.isRemembered(a, "pw")).isFalse();
    }
}
