package org.mqttwarden.otp.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.api.text.Printable;

/**
 * Sends an account a one-time code on an admin's word. Unlike the recovery page, which answers every request
 * alike, this command says plainly why it sends nothing (no such account, disabled, no address, mail off): an
 * admin may know all of that, and lists the accounts anyway. What warden-otp then does (cooldown, hourly cap,
 * delivery) is in {@code otp-status} and the audit log.
 */
@Service
@Command(scope = "warden", name = "otp-send", description = "Sends an account a one-time code by e-mail: verify"
        + " (an invited account sets its password), reset (replaces a forgotten password) or unlock (clears its"
        + " lockout). Default: verify for an account without a password, reset otherwise.")
public class OtpSendCommand implements Action {

    @Reference
    OtpService otp;

    @Reference
    AccountService accounts;

    @Reference
    List<OtpChannel> channels;

    @Reference
    Session session;

    @Option(name = "--purpose", description = "verify, reset or unlock (default: verify for an account without a"
            + " password, reset otherwise)")
    @Completion(value = StringsCompleter.class, values = {"verify", "reset", "unlock"})
    String purpose;

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    @Completion(AccountCompleter.class)
    String username;

    @Override
    public Object execute() throws Exception {
        session.getConsole().println(send(accounts, otp, channels, username, purpose,
                OtpCommands.actor(session)));
        return null;
    }

    /**
     * Checks what an admin may be told, then asks warden-otp for the code.
     *
     * @param purpose {@code verify}, {@code reset}, {@code unlock}, or {@code null} for the default
     * @param actor the shell user, the source of the request in the audit log
     * @return the line to print: which code was asked for and where it goes
     * @throws CommandException with one sentence when nothing is sent
     */
    static String send(AccountService accounts, OtpService otp, List<OtpChannel> channels, String username,
            String purpose, String actor) throws CommandException {
        String name = Printable.escape(username);
        Account account = accounts.findAccount(username)
                .orElseThrow(() -> new CommandException("There is no account named '" + name + "'."));
        boolean hasPassword;
        try {
            hasPassword = accounts.hasPassword(username);
        } catch (InvalidInputException e) {
            throw new CommandException("There is no account named '" + name + "' any more.");
        }
        OtpPurpose p;
        if (purpose == null) {
            p = hasPassword ? OtpPurpose.RESET : OtpPurpose.VERIFY;
        } else {
            try {
                p = OtpPurpose.of(purpose);
            } catch (IllegalArgumentException e) {
                throw new CommandException("--purpose must be verify, reset or unlock, not '"
                        + Printable.escape(purpose) + "'.");
            }
        }
        if (p == OtpPurpose.VERIFY && hasPassword) {
            throw new CommandException(name + " has a password already: a verify code is for an invited account"
                    + " that has none. To replace the password send a reset code (--purpose reset); nothing was"
                    + " sent.");
        }
        if (!account.enabled()) {
            throw new CommandException(name + " is disabled, and a disabled account gets no code (warden:user-enable "
                    + name + " first); nothing was sent.");
        }
        String email = account.email();
        if (email == null || email.isBlank()) {
            throw new CommandException(name + " has no e-mail address for a code to go to; nothing was sent.");
        }
        String shown = OtpCommands.mask(email);
        if (!OtpCommands.reached(channels, email)) {
            throw new CommandException("No code can be sent to " + name + " now: "
                    + OtpCommands.unreached(shown) + ". Nothing was sent.");
        }
        otp.request(username, p, actor);
        return "Asked warden-otp to send " + (p == OtpPurpose.UNLOCK ? "an " : "a ") + p.id() + " code for " + name
                + " to " + shown + "; " + OtpCommands.whereToLook(name)
                + " (for one: a code was sent less than code.cooldown.seconds ago).";
    }
}
