package org.mqttwarden.otp.command;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.otp.OtpPending;
import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.api.text.Printable;

/** Completes the usernames that have a live one-time code. */
@Service
public class PendingCompleter implements Completer {

    @Reference
    OtpService otp;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        for (OtpPending p : otp.pending(null)) {
            if (Printable.escape(p.username()).equals(p.username())) {
                delegate.getStrings().add(p.username());
            }
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
