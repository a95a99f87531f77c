package org.mqttwarden.otp.command;

import java.util.List;

import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.text.Printable;

/** What the one-time code commands share: the actor, how an address is shown, whether a channel reaches it. */
final class OtpCommands {

    private OtpCommands() {
    }

    /** @return the shell user running the command, for the audit trail and as the source of a code request */
    static String actor(Session session) {
        Object user = session.get("USER");
        return "shell:" + (user == null ? "unknown" : user);
    }

    /**
     * @return {@code email} with its local part hidden but for its first character ({@code a***@example.org}):
     *     enough for the admin to recognise it, less for a shared terminal or a screenshot to give away
     */
    static String mask(String email) {
        int at = email.lastIndexOf('@');
        if (at < 1) {
            return "***";
        }
        return Printable.escape(new String(Character.toChars(email.codePointAt(0))) + "***" + email.substring(at));
    }

    /**
     * @return whether one of {@code channels} reaches {@code address} now; warden-otp asks the same when it
     *     handles the request, and refuses it (audited) when none does. A channel that fails to answer does not
     *     reach it.
     */
    static boolean reached(List<OtpChannel> channels, String address) {
        if (channels == null) {
            return false;
        }
        for (OtpChannel c : channels) {
            try {
                if (c.reaches(address)) {
                    return true;
                }
            } catch (RuntimeException e) {
                // as OtpManager: a channel that cannot say does not reach
            }
        }
        return false;
    }

    /** The sentence for an address no channel reaches: e-mail is the channel shipped, so name its settings. */
    static String unreached(String maskedAddress) {
        return "no delivery channel reaches " + maskedAddress + ": e-mail is off while mail.host of"
                + " org.mqttwarden.otp is empty, or its mail settings were refused (karaf.log says why)";
    }

    /** @return where the admin sees what became of a request for {@code shownName} */
    static String whereToLook(String shownName) {
        return "warden:otp-status " + shownName + " shows its delivery; if it lists no code, warden:audit-search"
                + " --type OTP --user " + shownName + " says why";
    }
}
