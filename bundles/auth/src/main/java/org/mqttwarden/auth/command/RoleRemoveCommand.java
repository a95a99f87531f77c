package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "warden", name = "role-remove", description = "Removes a custom role and its ACL rules.")
public class RoleRemoveCommand extends WardenAction {

    @Argument(index = 0, name = "name", required = true, description = "Role name")
    @Completion(RoleCompleter.class)
    String name;

    @Override
    void run() {
        accounts.removeRole(name, actor());
        println("Role " + name + " removed");
    }
}
