package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "warden", name = "role-add", description = "Adds a custom role.")
public class RoleAddCommand extends WardenAction {

    @Argument(index = 0, name = "name", required = true, description = "Role name")
    String name;

    @Option(name = "--superuser", description = "Holders may do everything (like admin)")
    boolean superuser;

    @Option(name = "--description", aliases = "-d", description = "What the role is for")
    String description;

    @Override
    void run() {
        accounts.addRole(name, superuser, description, actor());
        println("Role " + name + " added" + (superuser ? " (superuser)" : ""));
    }
}
