package org.mqttwarden.audit.command;

import java.io.PrintStream;
import java.time.Clock;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.api.audit.AuditQuery;

/** Base of the audit commands: the audit log to read and the session to print to. */
abstract class AuditAction implements Action {

    @Reference
    AuditQuery audit;

    @Reference
    Session session;

    Clock clock = Clock.systemUTC();

    @Override
    public final Object execute() throws Exception {
        run();
        return null;
    }

    abstract void run() throws Exception;

    PrintStream console() {
        return session.getConsole();
    }

    void println(String line) {
        session.getConsole().println(line);
    }
}
