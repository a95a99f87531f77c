package org.mqttwarden.audit.command;

import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.audit.AuditFilter;

/** Base of the commands that select rows: the search criteria as options. */
abstract class FilterAction extends AuditAction {

    @Option(name = "--user", description = "Only events of this account")
    String user;

    @Option(name = "--client", description = "Only events of this MQTT client id")
    String client;

    @Option(name = "--type", description = "Only events of this type (AUTH, ACL, ADMIN_CHANGE, ...)")
    @Completion(EventTypeCompleter.class)
    String type;

    @Option(name = "--outcome", description = "Only events with this outcome (ALLOW, DENY, ERROR)")
    @Completion(OutcomeCompleter.class)
    String outcome;

    @Option(name = "--topic", description = "Only events whose topic starts with this text (no wildcards)")
    String topic;

    @Option(name = "--since", description = "From this time: ISO-8601 (2026-11-01T10:00:00Z, 2026-11-01) or"
            + " a duration ago (30s, 15m, 2h, 1d, 1w)")
    String since;

    @Option(name = "--until", description = "Before this time, same forms as --since")
    String until;

    /** @return the filter the options describe, at most {@code limit} rows */
    AuditFilter filter(int limit) throws CommandException {
        return Filters.build(new Filters.Criteria(user, client, type, outcome, topic, since, until), limit,
                clock.instant());
    }
}
