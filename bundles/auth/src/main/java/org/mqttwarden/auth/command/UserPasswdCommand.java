package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "warden", name = "user-passwd", description = "Sets a new password for an MQTT account.")
public class UserPasswdCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    @Completion(UserCompleter.class)
    String username;

    @Option(name = "--password-stdin", description = "Read the password from the first line of standard input")
    boolean passwordStdin;

    @Option(name = "--generate", description = "Generate a long random password and print it once")
    boolean generate;

    @Override
    void run() throws Exception {
        if (accounts.findAccount(username).isEmpty()) {
            throw new org.apache.karaf.shell.support.CommandException("There is no account named '" + username + "'.");
        }
        Secrets.Secret secret = Secrets.obtain(session, accounts, passwordStdin, generate);
        accounts.setPassword(username, secret.password(), actor());
        println("Password of " + username + " changed");
        secret.announce(session);
    }
}
