package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "warden", name = "acl-remove", description = "Removes an ACL rule by id (see acl-list).")
public class AclRemoveCommand extends WardenAction {

    @Argument(index = 0, name = "id", required = true, description = "Rule id")
    long id;

    @Override
    void run() {
        accounts.removeRule(id, actor());
        println("Removed rule #" + id);
    }
}
