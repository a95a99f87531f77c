package org.mqttwarden.crypto.command;

import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.crypto.keys.GatewayKeyStore;

@Service
@Command(scope = "warden", name = "key-create", description = "Makes the first envelope key of a topic prefix; it"
        + " encrypts the messages on topics the prefix covers (the longest prefix wins).")
public class KeyCreateCommand implements Action {

    @Reference
    GatewayKeyStore keys;

    @Reference
    EventPublisher events;

    @Reference
    Session session;

    @Option(name = "--prefix", required = true, description = "Topic prefix: plant/a covers plant/a and plant/a/...,"
            + " not plant/ab; \"\" covers every topic")
    String prefix;

    @Override
    public Object execute() throws Exception {
        session.getConsole().println(KeyCommands.audited(events, AdminChange.KEY_CREATE, KeyCommands.actor(session), Map.of("prefix", prefix),
                () -> KeyCommands.create(keys, prefix)));
        return null;
    }
}
