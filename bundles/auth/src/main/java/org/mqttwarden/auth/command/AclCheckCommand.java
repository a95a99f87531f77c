package org.mqttwarden.auth.command;

import java.util.Locale;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.text.Printable;

@Service
@Command(scope = "warden", name = "acl-check", description = "Shows what /acl would answer, and the rule that"
        + " decides it; fails (exit status 1) on DENY. Records nothing.")
public class AclCheckCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    @Completion(UserCompleter.class)
    String username;

    @Argument(index = 1, name = "topic", required = true, description = "Topic (read/write) or filter (subscribe)")
    String topic;

    @Argument(index = 2, name = "access", required = true, description = "read, write, readwrite or subscribe")
    @Completion(value = StringsCompleter.class, values = {"read", "write", "readwrite", "subscribe"})
    String access;

    @Option(name = "--client-id", description = "The MQTT client id (for %c rules)")
    String clientId;

    @Reference
    Authorizer authorizer;

    @Override
    void run() throws Exception {
        Access a;
        try {
            a = Access.valueOf(access.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandException("Access must be read, write, readwrite or subscribe, not '" + access + "'.");
        }
        Decision d = authorizer.explain(new ClientRef(username, clientId == null ? "" : clientId, null), topic, a);
        String text = (d.allowed() ? "ALLOW" : "DENY") + " " + a.name().toLowerCase(Locale.ROOT) + " "
                + Printable.escape(topic) + " for " + Printable.escape(username)
                + (clientId == null ? "" : " (client " + Printable.escape(clientId) + ")")
                + System.lineSeparator() + "  reason: " + d.reason()
                + System.lineSeparator() + "  decided by: " + d.detail();
        if (!d.allowed()) {
            // printed as it is, and the command fails: exit status 1 through bin/warden, so scripts can test it
            throw new CommandException(text, "denied");
        }
        println(text);
    }
}
