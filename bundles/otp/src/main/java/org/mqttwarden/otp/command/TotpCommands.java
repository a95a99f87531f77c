package org.mqttwarden.otp.command;

import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.otp.TerminalQr;

/** What the TOTP commands share: the actor of the audit trail, the text shown after an enrolment. */
final class TotpCommands {

    private TotpCommands() {
    }

    /** @return the shell user running the command, for the audit trail */
    static String actor(Session session) {
        Object user = session.get("USER");
        return "shell:" + (user == null ? "unknown" : user);
    }

    /** @return what the admin sees after enrolling {@code shownName}: the URI once, and how logging in works */
    static String enrolled(String shownName, String uri, boolean qr) {
        return "TOTP turned on for " + shownName + ". Enrol an authenticator app with this URI (a secret: it is"
                + " shown only now, never logged):\n\n  " + uri + "\n\n"
                + (qr ? "or scan this QR code (drawn for a dark terminal background; --no-qr leaves it out):\n\n"
                        + TerminalQr.draw(uri) + "\n" : "")
                + "From now on " + shownName + " logs in with its password immediately followed by the app's current"
                + " 6-digit code\n(password 'secret' and code 123456: 'secret123456'). A code works once.";
    }

    /** @return the enrolled accounts, one per line, or a line saying there are none */
    static String list(java.util.List<String> names) {
        if (names.isEmpty()) {
            return "No account has TOTP (warden:totp-enroll <user> turns it on)\n";
        }
        StringBuilder out = new StringBuilder("Accounts with TOTP (" + names.size() + "):\n");
        names.forEach(n -> out.append("  ").append(Printable.escape(n)).append('\n'));
        return out.toString();
    }
}
