package org.mqttwarden.auth.command;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;

/** Completes MQTT account names. */
@Service
public class UserCompleter implements Completer {

    @Reference
    AccountService accounts;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        for (Account a : accounts.listAccounts()) {
            delegate.getStrings().add(a.username());
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
