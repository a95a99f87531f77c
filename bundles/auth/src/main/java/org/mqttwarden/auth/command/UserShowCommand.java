package org.mqttwarden.auth.command;

import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.text.Printable;

@Service
@Command(scope = "warden", name = "user-show", description = "Shows an MQTT account and the ACL rules that apply to it.")
public class UserShowCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    @Completion(UserCompleter.class)
    String username;

    /**
     * @return {@code yes}, or for an invited account what it waits for (its holder sets the password with the
     *     e-mailed verify code); an account removed meanwhile is refused as unknown
     */
    static String password(AccountService accounts, String username) {
        return accounts.hasPassword(username) ? "yes"
                : UserListCommand.INVITED + ": it cannot log in until its holder sets one with the e-mailed verify"
                        + " code (warden:otp-status " + Printable.escape(username) + ")";
    }

    @Override
    void run() throws Exception {
        Account a = accounts.findAccount(username)
                .orElseThrow(() -> new CommandException("There is no account named '" + username + "'."));
        println("Username : " + a.username());
        println("Roles    : " + String.join(", ", new TreeSet<>(a.roles())));
        println("Enabled  : " + (a.enabled() ? "yes" : "no"));
        println("Password : " + password(accounts, a.username()));
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
