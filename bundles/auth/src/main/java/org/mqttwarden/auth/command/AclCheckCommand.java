package org.mqttwarden.auth.command;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.auth.acl.AccountAccess;
import org.mqttwarden.auth.acl.AclIndex;

@Service
@Command(scope = "warden", name = "acl-check", description = "Shows what /acl would answer, and the rule that"
        + " decides it; fails (exit status 1) on DENY. Records nothing.")
public class AclCheckCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    @Completion(UserCompleter.class)
    String username;

    @Argument(index = 1, name = "topic", required = true, description = "Topic (read/write) or filter (subscribe)")
    String topic;

    @Argument(index = 2, name = "access", required = true, description = "read, write, readwrite or subscribe")
    @Completion(value = StringsCompleter.class, values = {"read", "write", "readwrite", "subscribe"})
    String access;

    @Option(name = "--client-id", description = "The MQTT client id (for %c rules)")
    String clientId;

    @Override
    void run() throws Exception {
        Access a;
        try {
            a = Access.valueOf(access.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandException("Access must be read, write, readwrite or subscribe, not '" + access + "'.");
        }
        Decision d = explain(accounts, new ClientRef(username, clientId == null ? "" : clientId, null), topic, a);
        String text = (d.allowed() ? "ALLOW" : "DENY") + " " + a.name().toLowerCase(Locale.ROOT) + " "
                + Printable.escape(topic) + " for " + Printable.escape(username)
                + (clientId == null ? "" : " (client " + Printable.escape(clientId) + ")")
                + System.lineSeparator() + "  reason: " + d.reason()
                + System.lineSeparator() + "  decided by: " + d.detail();
        if (!d.allowed()) {
            // printed as it is, and the command fails: exit status 1 through bin/warden, so scripts can test it
            throw new CommandException(text, "denied");
        }
        println(text);
    }

    /**
     * Decides as {@code /acl} does ({@link AccountAccess}), from what the account service holds now, without
     * caching or recording anything.
     *
     * @return the decision, its reason code and the rule that decided it
     */
    static Decision explain(AccountService accounts, ClientRef client, String topic, Access access) {
        Optional<Account> found = accounts.findAccount(client.username());
        if (found.isEmpty()) {
            return AccountAccess.UNKNOWN_ACCOUNT;
        }
        Account account = found.get();
        Set<String> superuserRoles = accounts.listRoles().stream().filter(Role::superuser).map(Role::name)
                .collect(Collectors.toSet());
        boolean superuser = account.roles().stream().anyMatch(superuserRoles::contains);
        List<AclRule> rules = accounts.listRules().stream()
                .filter(r -> r.subjectType() == SubjectType.ROLE ? account.roles().contains(r.subject())
                        : r.subject().equals(account.username()))
                .toList();
        return AccountAccess.decide(AclIndex.build(rules), true, account.username(), account.roles(),
                account.enabled(), superuser, client.clientId(), topic, access);
    }
}
