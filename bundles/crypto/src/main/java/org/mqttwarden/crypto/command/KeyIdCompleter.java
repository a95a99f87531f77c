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

/** Completes the ids of keys that can be exported (not retired). */
@Service
public class KeyIdCompleter implements Completer {

    @Reference
    GatewayKeyStore keys;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        for (KeyInfo k : keys.list()) {
            if (k.state() != KeyState.RETIRED) {
                delegate.getStrings().add(k.keyId());
            }
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
