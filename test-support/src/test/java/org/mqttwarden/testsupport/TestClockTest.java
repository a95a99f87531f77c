package org.mqttwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class TestClockTest {

    @Test
    void timeMovesOnlyWhenTheTestMovesIt() {
        TestClock clock = new TestClock();
        assertThat(clock.instant()).isEqualTo(TestClock.T0);
        assertThat(clock.instant()).isEqualTo(TestClock.T0);
        assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(TestClock.T0.plusSeconds(90));
        assertThat(clock.millis()).isEqualTo(TestClock.T0.plusSeconds(90).toEpochMilli());
        clock.set(Instant.EPOCH);
        assertThat(clock.instant()).isEqualTo(Instant.EPOCH);
    }
}
