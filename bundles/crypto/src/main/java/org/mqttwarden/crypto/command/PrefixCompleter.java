package org.mqttwarden.crypto.command;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.crypto.keys.GatewayKeyStore;
import org.mqttwarden.crypto.keys.KeyInfo;
import org.mqttwarden.crypto.keys.KeyState;

/** Completes the topic prefixes that have an encrypting key (those warden:key-rotate can rotate). */
@Service
public class PrefixCompleter implements Completer {

    @Reference
    GatewayKeyStore keys;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        for (KeyInfo k : keys.list()) {
            if (k.state() == KeyState.ENCRYPTING && !k.prefix().isEmpty()) {
                delegate.getStrings().add(k.prefix());
            }
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
