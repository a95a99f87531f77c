package org.mqttwarden.crypto.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.crypto.keys.GatewayKeyStore;
import org.mqttwarden.crypto.keys.KeyInfo;

@Service
@Command(scope = "warden", name = "key-list", description = "Lists the envelope keys: id, topic prefix, when made,"
        + " and whether it encrypts, only decrypts (until when) or is retired. Never key material.")
public class KeyListCommand implements Action {

    @Reference
    GatewayKeyStore keys;

    @Reference
    Session session;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        List<KeyInfo> all = keys.list();
        if (all.isEmpty()) {
            session.getConsole().println(KeyCommands.none());
        } else {
            KeyCommands.table(all).print(session.getConsole(), !noFormat);
        }
        return null;
    }
}
