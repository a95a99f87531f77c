package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "warden", name = "user-disable", description = "Disables an MQTT account.")
public class UserDisableCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    @Completion(UserCompleter.class)
    String username;

    @Override
    void run() {
        accounts.setEnabled(username, false, actor());
        println("Account " + username + " disabled");
    }
}
