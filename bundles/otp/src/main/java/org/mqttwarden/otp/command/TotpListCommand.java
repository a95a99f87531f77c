package org.mqttwarden.otp.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.otp.TotpEnrollments;

@Service
@Command(scope = "warden", name = "totp-list", description = "Lists the accounts whose login needs a TOTP code"
        + " after the password.")
public class TotpListCommand implements Action {

    @Reference
    TotpEnrollments enrollments;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        session.getConsole().print(TotpCommands.list(enrollments.enrolled()));
        return null;
    }
}
