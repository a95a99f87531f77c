package org.mqttwarden.auth.command;

import java.util.LinkedHashSet;
import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.Account;

@Service
@Command(scope = "warden", name = "user-add", description = "Creates an MQTT account. The password is prompted,"
        + " read from stdin (--password-stdin) or generated (--generate, printed once).")
public class UserAddCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    String username;

    @Option(name = "--role", aliases = "-r", multiValued = true, description = "Role to grant (repeatable)")
    @Completion(RoleCompleter.class)
    List<String> roles;

    @Option(name = "--email", description = "E-mail address for account recovery")
    String email;

    @Option(name = "--password-stdin", description = "Read the password from the first line of standard input")
    boolean passwordStdin;

    @Option(name = "--generate", description = "Generate a long random password (for devices) and print it once")
    boolean generate;

    @Override
    void run() throws Exception {
        if (accounts.findAccount(username).isPresent()) {
            throw new CommandException("An account named '" + username + "' already exists.");
        }
        // everything that can be checked is checked before a password is asked for or made
        Roles.requireKnown(accounts, roles);
        Secrets.Secret secret = Secrets.obtain(session, accounts, passwordStdin, generate);
        Account a = accounts.createAccount(username, secret.password(),
                roles == null ? java.util.Set.of() : new LinkedHashSet<>(roles), email, actor());
        println("Created account " + a.username() + (a.roles().isEmpty() ? "" : " with roles "
                + String.join(", ", new java.util.TreeSet<>(a.roles()))));
        secret.announce(session);
    }
}
