package org.mqttwarden.otp.command;

import java.time.Clock;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.otp.TotpAdmin;
import org.mqttwarden.otp.TotpEnrollments;

@Service
@Command(scope = "warden", name = "totp-disable", description = "Turns off the TOTP second login step of an"
        + " account: it logs in with its password alone again.")
public class TotpDisableCommand implements Action {

    @Reference
    TotpEnrollments enrollments;

    @Reference
    AccountService accounts;

    @Reference
    EventPublisher events;

    @Reference
    Session session;

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    String username;

    @Override
    public Object execute() throws Exception {
        boolean was;
        try {
            was = new TotpAdmin(enrollments, accounts, events, Clock.systemUTC()).disable(username,
                    TotpCommands.actor(session));
        } catch (InvalidInputException e) {
            throw new CommandException(e.getMessage());
        }
        String shown = Printable.escape(username);
        session.getConsole().println(was ? "TOTP turned off for " + shown + ": it logs in with its password alone"
                : "Account " + shown + " has no TOTP; nothing to turn off");
        return null;
    }
}
