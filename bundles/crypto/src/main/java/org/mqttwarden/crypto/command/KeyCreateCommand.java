package org.mqttwarden.crypto.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.crypto.keys.GatewayKeyStore;

@Service
@Command(scope = "warden", name = "key-create", description = "Makes the first envelope key of a topic prefix; it"
        + " encrypts the messages on topics the prefix covers (the longest prefix wins).")
public class KeyCreateCommand implements Action {

    @Reference
    GatewayKeyStore keys;

    @Reference
    Session session;

    @Option(name = "--prefix", required = true, description = "Topic prefix: plant/a covers plant/a and plant/a/...,"
            + " not plant/ab; \"\" covers every topic")
    String prefix;

    @Override
    public Object execute() throws Exception {
        session.getConsole().println(KeyCommands.create(keys, prefix));
        return null;
    }
}
