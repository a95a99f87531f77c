package org.mqttwarden.auth.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.AccountService;

/**
 * How shell commands obtain a new password without it ever being on a command line: a masked
 * prompt (asked twice), one line of standard input, or a generated secret printed once.
 */
final class Secrets {

    private Secrets() {
    }

    /** @return the password, and prints it when generated */
    static String obtain(Session session, AccountService accounts, boolean fromStdin, boolean generate)
            throws Exception {
        if (fromStdin && generate) {
            throw new CommandException("Use either --password-stdin or --generate, not both.");
        }
        if (generate) {
            String secret = accounts.generatePassword();
            session.getConsole().println("Generated password (shown once): " + secret);
            return secret;
        }
        if (fromStdin) {
            BufferedReader in = new BufferedReader(new InputStreamReader(session.getKeyboard(),
                    StandardCharsets.UTF_8));
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                throw new CommandException("Could not read the password from standard input: " + e.getMessage());
            }
            if (line == null || line.isEmpty()) {
                throw new CommandException("No password on standard input.");
            }
            return line;
        }
        String first = session.readLine("Password: ", '*');
        String second = session.readLine("Repeat password: ", '*');
        if (first == null || !first.equals(second)) {
            throw new CommandException("The two passwords differ; nothing was changed.");
        }
        return first;
    }

    /** @return the shell user running the command, for the audit trail */
    static String actor(Session session) {
        Object user = session.get("USER");
        return "shell:" + (user == null ? "unknown" : user);
    }
}
