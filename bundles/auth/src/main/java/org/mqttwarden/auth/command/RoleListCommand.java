package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.account.Role;

@Service
@Command(scope = "warden", name = "role-list", description = "Lists roles, by name.")
public class RoleListCommand extends WardenAction {

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    void run() {
        ShellTable table = new ShellTable();
        table.column("Role");
        table.column("Superuser");
        table.column("Built-in");
        table.column("Description");
        for (Role r : accounts.listRoles()) {
            table.addRow().addContent(r.name(), r.superuser() ? "yes" : "no", r.builtIn() ? "yes" : "no",
                    r.description());
        }
        table.print(session.getConsole(), !noFormat);
    }
}
