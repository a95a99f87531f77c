package org.mqttwarden.crypto.command;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.event.EventPublisher;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.crypto.keys.GatewayKeyStore;

@Service
@Command(scope = "warden", name = "key-export", description = "Writes one envelope key to a new file, wrapped"
        + " under a one-time passphrase (PBKDF2-HMAC-SHA256, AES-256-GCM), to provision a device.")
public class KeyExportCommand implements Action {

    @Reference
    GatewayKeyStore keys;

    @Reference
    EventPublisher events;

    @Reference
    Session session;

    @Completion(KeyIdCompleter.class)
    @Argument(index = 0, name = "id", description = "The key id (warden:key-list); or --prefix")
    String keyId;

    @Completion(PrefixCompleter.class)
    @Option(name = "--prefix", description = "Instead of an id: the key that encrypts for this topic prefix now")
    String prefix;

    @Option(name = "--out", required = true, description = "A new file (never overwritten), created rw-------; a"
            + " relative path is in the gateway's folder")
    String out;

    @Option(name = "--passphrase-stdin", description = "Read the passphrase from the first line of standard input"
            + " instead of asking on the terminal")
    boolean passphraseStdin;

    @Override
    public Object execute() throws Exception {
        keyId = KeyCommands.idOrPrefix(keys, keyId, prefix);
        // a relative path is in the gateway's folder, wherever the shell (bin/warden, SSH) was started from
        Path file = Path.of(System.getProperty("karaf.home", ".")).resolve(out).toAbsolutePath().normalize();
        char[] passphrase;
        if (passphraseStdin) {
            passphrase = KeyCommands.passphraseFrom(session.getKeyboard());
        } else {
            String first;
            String second;
            try {
                first = session.readLine("Passphrase (12 characters or more): ", '*');
                second = session.readLine("Repeat passphrase: ", '*');
            } catch (UnsupportedOperationException | IllegalStateException e) {
                throw new CommandException(KeyCommands.NO_TERMINAL);
            }
            passphrase = KeyCommands.passphraseTyped(first, second);
        }
        try {
            char[] secret = passphrase;
            session.getConsole().println(KeyCommands.audited(events, AdminChange.KEY_EXPORT,
                    KeyCommands.actor(session), Map.of("key_id", keyId, "file", file.toString()),
                    () -> KeyCommands.export(keys, keyId, secret, file)));
        } finally {
            Arrays.fill(passphrase, '\0');
        }
        return null;
    }
}
