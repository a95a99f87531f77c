package org.mqttwarden.lockout.command;

import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.lockout.LockoutEntry;
import org.mqttwarden.lockout.LockoutService;

@Service
@Command(scope = "warden", name = "lockout-list", description = "Lists locked accounts and sources, and those with"
        + " failed logins being counted: locked ones first, then by name. An account is listed once per scope: from all sources (the hourly"
        + " ceiling), from untrusted sources (those it never logged in from), from each trusted source.")
public class LockoutListCommand implements Action {

    @Reference
    LockoutService lockouts;

    @Reference
    Session session;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Kind");
        table.column("Name");
        table.column("From");
        table.column("Locked since");
        table.column("Locked until");
        table.column("Failures");
        table.column("Last hour");
        table.column("Locks");
        table.column("Last failure");
        for (LockoutEntry e : lockouts.list()) {
            table.addRow().addContent(kind(e), Printable.escape(e.name()),
                    e.scope() == null ? "" : Printable.escape(e.scope()), time(e.lockedSince()),
                    e.permanent() ? "until cleared" : time(e.lockedUntil()), e.failures(),
                    e.source() ? "" : Integer.toString(e.hourFailures()), e.lockCount(), time(e.lastFailure()));
        }
        table.print(session.getConsole(), !noFormat);
        return null;
    }

    /** @return {@code source}, {@code account}, {@code no account} or {@code username} (not known yet) */
    static String kind(LockoutEntry e) {
        if (e.source()) {
            return "source";
        }
        return e.account() == null ? "username" : e.account() ? "account" : "no account";
    }

    private static String time(Instant t) {
        return t == null ? "" : t.toString();
    }
}
