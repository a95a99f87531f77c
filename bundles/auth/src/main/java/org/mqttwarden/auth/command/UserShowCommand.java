package org.mqttwarden.auth.command;

import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.SubjectType;

@Service
@Command(scope = "warden", name = "user-show", description = "Shows an MQTT account and the ACL rules that apply to it.")
public class UserShowCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    @Completion(UserCompleter.class)
    String username;

    @Override
    void run() throws Exception {
        Account a = accounts.findAccount(username)
                .orElseThrow(() -> new CommandException("There is no account named '" + username + "'."));
        println("Username : " + a.username());
        println("Roles    : " + String.join(", ", new TreeSet<>(a.roles())));
        println("Enabled  : " + (a.enabled() ? "yes" : "no"));
        println("E-mail   : " + (a.email() == null ? "" : a.email()));
        println("Created  : " + a.created());
        println("Updated  : " + a.updated());
        println("Rules    :");
        for (AclRule r : accounts.listRules()) {
            boolean applies = r.subjectType() == SubjectType.ACCOUNT ? r.subject().equals(a.username())
                    : a.roles().contains(r.subject());
            if (applies) {
                println("  " + r.describe() + (r.comment().isEmpty() ? "" : "  (" + r.comment() + ")"));
            }
        }
    }
}
