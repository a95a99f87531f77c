package org.mqttwarden.auth.command;

import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.account.Account;

@Service
@Command(scope = "warden", name = "user-list", description = "Lists MQTT accounts, by name.")
public class UserListCommand extends WardenAction {

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    void run() {
        ShellTable table = new ShellTable();
        table.column("Username");
        table.column("Roles");
        table.column("Enabled");
        table.column("E-mail");
        table.column("Updated");
        for (Account a : accounts.listAccounts()) {
            table.addRow().addContent(a.username(), String.join(",", new TreeSet<>(a.roles())),
                    a.enabled() ? "yes" : "no", a.email() == null ? "" : a.email(), a.updated());
        }
        table.print(session.getConsole(), !noFormat);
    }
}
