package org.mqttwarden.auth.command;

import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;

@Service
@Command(scope = "warden", name = "user-list", description = "Lists MQTT accounts, by name; an invited account"
        + " shows that it has no password yet.")
public class UserListCommand extends WardenAction {

    /** The Password column of an invited account that has not set its password yet. */
    static final String INVITED = "none yet (invited)";

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    void run() {
        table(accounts).print(session.getConsole(), !noFormat);
    }

    static ShellTable table(AccountService accounts) {
        ShellTable table = new ShellTable();
        table.column("Username");
        table.column("Roles");
        table.column("Enabled");
        table.column("Password");
        table.column("E-mail");
        table.column("Updated");
        java.util.Set<String> invited = accounts.invitedAccounts();
        for (Account a : accounts.listAccounts()) {
            String password = invited.contains(a.username()) ? INVITED : "yes";
            table.addRow().addContent(a.username(), String.join(",", new TreeSet<>(a.roles())),
                    a.enabled() ? "yes" : "no", password, a.email() == null ? "" : a.email(), a.updated());
        }
        return table;
    }
}
