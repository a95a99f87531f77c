package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "warden", name = "user-role-remove", description = "Revokes a role from an MQTT account.")
public class UserRoleRemoveCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    @Completion(UserCompleter.class)
    String username;

    @Argument(index = 1, name = "role", required = true, description = "Role name")
    @Completion(RoleCompleter.class)
    String role;

    @Override
    void run() {
        accounts.revokeRole(username, role, actor());
        println("Role " + role + " revoked: " + username);
    }
}
