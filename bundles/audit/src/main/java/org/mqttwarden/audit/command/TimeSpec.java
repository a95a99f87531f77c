package org.mqttwarden.audit.command;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.karaf.shell.support.CommandException;

/**
 * The time options: an ISO-8601 instant ({@code 2026-11-01T10:00:00Z}, with an offset, or without
 * one meaning UTC), a date (its start, UTC), {@code now}, or a duration ago: one or more number+unit
 * parts, units {@code s m h d w} ({@code 15m}, {@code 2h}, {@code 1d}, {@code 1h30m}), or ISO
 * ({@code PT15M}).
 */
final class TimeSpec {

    private static final Pattern DURATION = Pattern.compile("(?:\\d{1,9}[smhdw])+");
    private static final Pattern PART = Pattern.compile("(\\d{1,9})([smhdw])");
    /** Ten years: beyond it, a duration is a typo. */
    private static final Duration MAX_AGO = Duration.ofDays(3660);

    private TimeSpec() {
    }

    static Instant parse(String text, String option, Instant now) throws CommandException {
        String t = text.trim();
        if (t.equalsIgnoreCase("now")) {
            return now;
        }
        Duration ago = duration(t);
        if (ago != null) {
            if (ago.compareTo(MAX_AGO) > 0) {
                throw new CommandException(option + " '" + text + "' is more than ten years ago.");
            }
            return now.minus(ago);
        }
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (t.endsWith("Z") || t.endsWith("z")) {
                return Instant.parse(t.toUpperCase(java.util.Locale.ROOT));
            }
            if (t.matches(".*[+-]\\d\\d:?\\d\\d$") && t.indexOf('T') > 0) {
                return OffsetDateTime.parse(t).toInstant();
            }
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw new CommandException(option + " '" + text + "' is neither an ISO-8601 time"
                    + " (2026-11-01T10:00:00Z, 2026-11-01) nor a duration ago (30s, 15m, 2h, 1d, 1w).");
        }
    }

    /** @return the duration {@code text} spells, or {@code null} when it is not one */
    static Duration duration(String text) {
        if (text.length() > 1 && (text.charAt(0) == 'P' || text.charAt(0) == 'p')) {
            try {
                Duration d = Duration.parse(text);
                return d.isNegative() ? null : d;
            } catch (DateTimeException e) {
                return null;
            }
        }
        if (!DURATION.matcher(text).matches()) {
            return null;
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            });
        }
        return total;
    }
}
