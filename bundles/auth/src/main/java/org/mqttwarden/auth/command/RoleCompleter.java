package org.mqttwarden.auth.command;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.Role;

/** Completes role names. */
@Service
public class RoleCompleter implements Completer {

    @Reference
    AccountService accounts;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        for (Role r : accounts.listRoles()) {
            delegate.getStrings().add(r.name());
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
