package org.mqttwarden.otp.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.mqttwarden.testsupport.TestClock;

class RateLimitTest {

    private final TestClock clock = new TestClock();

    @Test
    void allowsTheLimitInAMinuteThenSaysWhenToTryAgain() {
        RateLimit limit = new RateLimit(3, 100, clock);
        assertThat(limit.hit("a")).isZero();
        clock.advance(Duration.ofSeconds(10));
        assertThat(limit.hit("a")).isZero();
        assertThat(limit.hit("a")).isZero();

        assertThat(limit.hit("a")).isEqualTo(50);
        clock.advance(Duration.ofMillis(49_001));
        assertThat(limit.hit("a")).as("rounded up").isEqualTo(1);
        assertThat(limit.hit("b")).as("another key").isZero();
        clock.advance(Duration.ofMillis(999));
        assertThat(limit.hit("a")).as("a new window").isZero();
    }

    @Test
    void aRefusedHitIsNotCounted() {
        RateLimit limit = new RateLimit(1, 100, clock);
        limit.hit("a");
        for (int i = 0; i < 100; i++) {
            assertThat(limit.hit("a")).isPositive();
        }
        clock.advance(RateLimit.WINDOW);
        assertThat(limit.hit("a")).isZero();
    }

    @Test
    void aFullTableRefusesNewKeysUntilTheOldestWindowClosesAndNeverGrows() {
        RateLimit limit = new RateLimit(5, 10, clock);
        for (int i = 0; i < 10; i++) {
            assertThat(limit.hit("k" + i)).isZero();
            clock.advance(Duration.ofSeconds(1));
        }
        for (int i = 10; i < 10_000; i++) {
            assertThat(limit.hit("k" + i)).isEqualTo(50);
            assertThat(limit.size()).isEqualTo(10);
        }
        assertThat(limit.hit("k9")).as("a known key keeps its count").isZero();

        clock.advance(Duration.ofSeconds(50));
        assertThat(limit.hit("new")).as("the oldest window closed: room for one").isZero();
        assertThat(limit.hit("newer")).isEqualTo(1);
        assertThat(limit.size()).isEqualTo(10);
        clock.advance(RateLimit.WINDOW);
        assertThat(limit.hit("x")).isZero();
        assertThat(limit.size()).as("every closed window dropped").isEqualTo(1);
    }

    @Test
    void aClockThatGoesBackClosesTheWindowsOpenedInItsFuture() {
        RateLimit limit = new RateLimit(1, 10, clock);
        limit.hit("a");
        assertThat(limit.hit("a")).isEqualTo(60);
        clock.advance(Duration.ofHours(-1));

        assertThat(limit.hit("a")).isZero();
        assertThat(limit.hit("a")).isEqualTo(60);
    }
}
