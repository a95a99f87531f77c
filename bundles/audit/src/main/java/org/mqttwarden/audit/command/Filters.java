package org.mqttwarden.audit.command;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;

/** Turns the text of the filter options into an {@link AuditFilter}, refusing bad values with one sentence. */
final class Filters {

    /** The most rows one command reads; the audit log caps any limit at this too. */
    static final int MAX_ROWS = 100_000;

    /** The filter options as typed; {@code null} when absent. */
    record Criteria(String user, String client, String type, String outcome, String topic, String since,
            String until) {

        static Criteria none() {
            return new Criteria(null, null, null, null, null, null, null);
        }
    }

    private Filters() {
    }

    static AuditFilter build(Criteria c, int limit, Instant now) throws CommandException {
        Instant from = c.since() == null ? null : TimeSpec.parse(c.since(), "--since", now);
        Instant to = c.until() == null ? null : TimeSpec.parse(c.until(), "--until", now);
        if (from != null && to != null && to.isBefore(from)) {
            throw new CommandException("--until (" + to + ") is before --since (" + from + ").");
        }
        return new AuditFilter(blankToNull(c.user()), blankToNull(c.client()),
                c.type() == null ? null : choice(EventType.class, c.type(), "--type"),
                c.outcome() == null ? null : choice(Outcome.class, c.outcome(), "--outcome"),
                c.topic() == null || c.topic().isEmpty() ? null : c.topic(), from, to, limit(limit, "-n"));
    }

    /** @return {@code n} when it is a valid row count */
    static int limit(int n, String option) throws CommandException {
        if (n < 1 || n > MAX_ROWS) {
            throw new CommandException(option + " must be between 1 and " + MAX_ROWS + ", was " + n + ".");
        }
        return n;
    }

    /** Case-insensitive, {@code admin-change} reads as {@code ADMIN_CHANGE}. */
    static <E extends Enum<E>> E choice(Class<E> type, String text, String option) throws CommandException {
        String name = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        throw new CommandException("Unknown " + option + " '" + text + "'; use one of " + names(type) + ".");
    }

    static <E extends Enum<E>> String names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
