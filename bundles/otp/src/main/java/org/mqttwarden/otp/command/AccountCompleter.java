package org.mqttwarden.otp.command;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.text.Printable;

/** Completes MQTT account names (warden-auth's completer is private to its bundle). */
@Service
public class AccountCompleter implements Completer {

    @Reference
    AccountService accounts;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        for (Account a : accounts.listAccounts()) {
            // a name that needs escaping (control characters, ...) is never typed into the command line
            if (Printable.escape(a.username()).equals(a.username())) {
                delegate.getStrings().add(a.username());
            }
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
