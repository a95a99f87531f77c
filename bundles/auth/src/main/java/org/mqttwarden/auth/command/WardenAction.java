package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.ChangeNotRecordedException;
import org.mqttwarden.api.account.InvalidInputException;

/**
 * Base of the account commands: refused input, and a change the audit log could not record, become a
 * {@link CommandException} with its sentence.
 */
abstract class WardenAction implements Action {

    @Reference
    AccountService accounts;

    @Reference
    Session session;

    @Override
    public final Object execute() throws Exception {
        try {
            run();
        } catch (InvalidInputException | ChangeNotRecordedException e) {
            throw new CommandException(e.getMessage());
        }
        return null;
    }

    abstract void run() throws Exception;

    String actor() {
        return Secrets.actor(session);
    }

    void println(String line) {
        session.getConsole().println(line);
    }
}
