package org.mqttwarden.lockout.command;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.lockout.LockoutEntry;
import org.mqttwarden.lockout.LockoutService;

/** Completes the usernames and sources that have a lock or failures. */
@Service
public class LockedCompleter implements Completer {

    @Reference
    LockoutService lockouts;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        for (LockoutEntry e : lockouts.list()) {
            // a name that needs escaping (control characters, ...) is never typed into the command line
            if (Printable.escape(e.name()).equals(e.name())) {
                delegate.getStrings().add(e.name());
            }
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
