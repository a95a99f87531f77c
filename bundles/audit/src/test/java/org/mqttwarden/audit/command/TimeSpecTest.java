package org.mqttwarden.audit.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimeSpecTest {

    static final Instant NOW = Instant.parse("2026-11-02T12:00:00Z");

    @ParameterizedTest
    @CsvSource({
        "30s, PT30S",
        "15m, PT15M",
        "2h, PT2H",
        "1d, PT24H",
        "1w, PT168H",
        "1h30m, PT1H30M",
        "0m, PT0S",
        "PT45M, PT45M",
        "pt2h, PT2H",
    })
    void durationsCountBackFromNow(String text, String expected) throws Exception {
        assertThat(TimeSpec.duration(text)).isEqualTo(Duration.parse(expected));
        assertThat(TimeSpec.parse(text, "--since", NOW)).isEqualTo(NOW.minus(Duration.parse(expected)));
    }

    @ParameterizedTest
    @CsvSource({
        "2026-11-01T10:00:00Z, 2026-11-01T10:00:00Z",
        "2026-11-01T10:00:00.250Z, 2026-11-01T10:00:00.250Z",
        "2026-11-01t10:00:00z, 2026-11-01T10:00:00Z",
        "2026-11-01T12:00:00+02:00, 2026-11-01T10:00:00Z",
        "2026-11-01T05:00:00-05:00, 2026-11-01T10:00:00Z",
        "2026-11-01T10:00:00, 2026-11-01T10:00:00Z",
        "2026-11-01T10:00, 2026-11-01T10:00:00Z",
        "2026-11-01, 2026-11-01T00:00:00Z",
        "now, 2026-11-02T12:00:00Z",
        "' 2h ', 2026-11-02T10:00:00Z",
    })
    void isoTimesAreUtcUnlessTheySayOtherwise(String text, String expected) throws Exception {
        assertThat(TimeSpec.parse(text, "--since", NOW)).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "15", "m", "15M", "15 m", "-15m", "1y", "15min", "yesterday", "2026-13-01",
        "2026-11-01T25:00:00Z", "P-1D", "99999w"})
    void refusesAnythingElseNamingTheForms(String text) {
        assertThatThrownBy(() -> TimeSpec.parse(text, "--since", NOW)).isInstanceOf(CommandException.class)
                .hasMessageStartingWith("--since '" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "15", "15M", "1y", "2026-11-01", "P-1D"})
    void notDurations(String text) {
        assertThat(TimeSpec.duration(text)).isNull();
    }
}
