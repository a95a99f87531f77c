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
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpPending;
import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.api.text.Printable;

@Service
@Command(scope = "warden", name = "otp-status", description = "Lists the live one-time codes, of every account or"
        + " of one, by name: purpose, when issued, until when, wrong tries left and what became of the delivery."
        + " Never the code.")
public class OtpStatusCommand implements Action {

    @Reference
    OtpService otp;

    @Reference
    Session session;

    @Argument(index = 0, name = "username", required = false, description = "Only the codes of this MQTT username")
    @Completion(PendingCompleter.class)
    String username;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Reference
    List<OtpChannel> channels;

    @Override
    public Object execute() {
        session.getConsole().print(channels(channels));
        List<OtpPending> pending = otp.pending(username);
        if (pending.isEmpty()) {
            session.getConsole().println(none(username));
        } else {
            table(pending).print(session.getConsole(), !noFormat);
        }
        return null;
    }

    static ShellTable table(List<OtpPending> pending) {
        ShellTable table = new ShellTable();
        table.column("Username");
        table.column("Purpose");
        table.column("Issued");
        table.column("Expires");
        table.column("Tries left");
        table.column("Delivery");
        for (OtpPending p : pending) {
            table.addRow().addContent(Printable.escape(p.username()), p.purpose().id(), p.issuedAt(), p.expiresAt(),
                    p.attemptsLeft(), Printable.escape(p.delivery()));
        }
        return table;
    }

    /** @return one line per delivery channel with its status (e-mail off, and why, included), or why none */
    static String channels(List<OtpChannel> channels) {
        if (channels == null || channels.isEmpty()) {
            return "Delivery: no channel is installed: no code can be sent\n";
        }
        StringBuilder out = new StringBuilder();
        for (OtpChannel c : channels) {
            String status;
            try {
                status = c.status();
            } catch (RuntimeException e) {
                status = "unknown: " + e;
            }
            out.append("Delivery by ").append(Printable.escape(c.name())).append(": ").append(Printable.escape(status))
                    .append('\n');
        }
        return out.toString();
    }

    /** @return the line printed when no code is live, saying where the used, expired and refused ones are */
    static String none(String username) {
        return "No one-time code is pending" + (username == null ? "" : " for " + Printable.escape(username))
                + ". Used, expired and refused codes are not listed: warden:audit-search --type OTP"
                + (username == null ? "" : " --user " + Printable.escape(username)) + " shows them.";
    }
}
