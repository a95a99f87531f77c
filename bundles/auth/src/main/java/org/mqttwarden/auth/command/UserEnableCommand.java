package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "warden", name = "user-enable", description = "Enables an MQTT account.")
public class UserEnableCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    @Completion(UserCompleter.class)
    String username;

    @Override
    void run() {
        accounts.setEnabled(username, true, actor());
        println("Account " + username + " enabled");
    }
}
