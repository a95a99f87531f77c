package org.mqttwarden.audit.command;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;

/** Counts of rows by type and outcome. */
final class AuditStats {

    private final Map<EventType, long[]> counts = new EnumMap<>(EventType.class);
    private long total;

    static AuditStats of(List<AuditRecord> rows) {
        AuditStats s = new AuditStats();
        for (AuditRecord r : rows) {
            s.counts.computeIfAbsent(r.type(), t -> new long[Outcome.values().length])[r.outcome().ordinal()]++;
            s.total++;
        }
        return s;
    }

    long count(EventType type, Outcome outcome) {
        long[] c = counts.get(type);
        return c == null ? 0 : c[outcome.ordinal()];
    }

    long count(EventType type) {
        long sum = 0;
        for (Outcome o : Outcome.values()) {
            sum += count(type, o);
        }
        return sum;
    }

    long count(Outcome outcome) {
        long sum = 0;
        for (EventType t : EventType.values()) {
            sum += count(t, outcome);
        }
        return sum;
    }

    long total() {
        return total;
    }
}
