package org.mqttwarden.crypto.command;

import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.crypto.keys.GatewayKeyStore;

@Service
@Command(scope = "warden", name = "key-rotate", description = "Makes a new envelope key the one that encrypts for a"
        + " topic prefix; the one it replaces still opens messages for the grace period (key.grace.days).")
public class KeyRotateCommand implements Action {

    @Reference
    GatewayKeyStore keys;

    @Reference
    EventPublisher events;

    @Reference
    Session session;

    @Completion(PrefixCompleter.class)
    @Option(name = "--prefix", required = true, description = "Topic prefix whose key is replaced")
    String prefix;

    @Override
    public Object execute() throws Exception {
        session.getConsole().println(KeyCommands.audited(events, AdminChange.KEY_ROTATE, KeyCommands.actor(session), Map.of("prefix", prefix),
                () -> KeyCommands.rotate(keys, prefix)));
        return null;
    }
}
