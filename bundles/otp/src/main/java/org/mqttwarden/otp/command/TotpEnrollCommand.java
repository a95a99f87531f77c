package org.mqttwarden.otp.command;

import java.time.Clock;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
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
@Command(scope = "warden", name = "totp-enroll", description = "Turns on the TOTP second login step of an account"
        + " and prints, once, the otpauth:// URI its authenticator app enrols from.")
public class TotpEnrollCommand implements Action {

    @Reference
    TotpEnrollments enrollments;

    @Reference
    AccountService accounts;

    @Reference
    EventPublisher events;

    @Reference
    Session session;

    @Option(name = "--force", description = "Replace the secret of an account that has TOTP already")
    boolean force;

    @Option(name = "--no-qr", description = "Print the URI only, without its QR code")
    boolean noQr;

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    String username;

    @Override
    public Object execute() throws Exception {
        String uri;
        try {
            uri = new TotpAdmin(enrollments, accounts, events, Clock.systemUTC()).enroll(username, force,
                    TotpCommands.actor(session));
        } catch (InvalidInputException e) {
            throw new CommandException(e.getMessage());
        }
        session.getConsole().println(TotpCommands.enrolled(Printable.escape(username), uri, !noQr));
        return null;
    }
}
