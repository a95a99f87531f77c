package org.mqttwarden.audit.command;

import java.util.Arrays;
import java.util.List;

import org.mqttwarden.api.audit.AuditRecord;

/**
 * How {@code audit-export} writes rows. Both formats carry every column under the same names;
 * roles and detail are JSON in CSV too, so nothing is ambiguous.
 */
enum ExportFormat {

    CSV {
        @Override
        String header() {
            return Csv.line(FIELDS);
        }

        @Override
        String line(AuditRecord r) {
            return Csv.line(Arrays.asList(Long.toString(r.id()), r.time().toString(), r.type().name(),
                    r.outcome().name(), r.reason(), r.username(), JsonText.array(r.roles()), r.clientId(),
                    r.address(), r.topic(), r.access() == null ? null : r.access().name(), r.actor(),
                    JsonText.object(r.detail()), r.hash()));
        }
    },

    JSONL {
        @Override
        String header() {
            return "";
        }

        @Override
        String line(AuditRecord r) {
            return "{\"id\":" + r.id()
                    + ",\"time\":" + JsonText.string(r.time().toString())
                    + ",\"type\":" + JsonText.string(r.type().name())
                    + ",\"outcome\":" + JsonText.string(r.outcome().name())
                    + ",\"reason\":" + JsonText.string(r.reason())
                    + ",\"username\":" + JsonText.string(r.username())
                    + ",\"roles\":" + JsonText.array(r.roles())
                    + ",\"client_id\":" + JsonText.string(r.clientId())
                    + ",\"address\":" + JsonText.string(r.address())
                    + ",\"topic\":" + JsonText.string(r.topic())
                    + ",\"access\":" + JsonText.string(r.access() == null ? null : r.access().name())
                    + ",\"actor\":" + JsonText.string(r.actor())
                    + ",\"detail\":" + JsonText.object(r.detail())
                    + ",\"hash\":" + JsonText.string(r.hash()) + "}\n";
        }
    };

    /** The column names of CSV, the keys of JSONL, in order. */
    static final List<String> FIELDS = List.of("id", "time", "type", "outcome", "reason", "username", "roles",
            "client_id", "address", "topic", "access", "actor", "detail", "hash");

    /** @return what comes before the first row, "" for none */
    abstract String header();

    /** @return {@code r} as one record, line end included */
    abstract String line(AuditRecord r);
}
