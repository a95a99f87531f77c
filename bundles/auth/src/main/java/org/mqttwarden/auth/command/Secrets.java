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

    /**
     * A password obtained for a command; a generated one is printed only once the change is made
     * ({@link #announce}), so a refused command never shows a password that was not set.
     */
    record Secret(String password, boolean generated) {
        @Override
        public String toString() {
            return "Secret[generated=" + generated + "]";
        }

        /** Prints a generated password once; call after the change succeeded. */
        void announce(Session session) {
            if (generated) {
                session.getConsole().println("Generated password (shown once): " + password);
            }
        }
    }

    /**
     * @return the password: generated, read from standard input, or prompted (masked, twice) when there is a
     *     terminal; without one, a {@link CommandException} names the two other ways
     */
    static Secret obtain(Session session, AccountService accounts, boolean fromStdin, boolean generate)
            throws Exception {
        if (fromStdin && generate) {
            throw new CommandException("Use either --password-stdin or --generate, not both.");
        }
        if (generate) {
            return new Secret(accounts.generatePassword(), true);
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
            return new Secret(line, false);
        }
        String first;
        String second;
        try {
            first = session.readLine("Password: ", '*');
            second = session.readLine("Repeat password: ", '*');
        } catch (UnsupportedOperationException | IllegalStateException e) {
            throw new CommandException(NO_TERMINAL);
        }
        if (first == null || !first.equals(second)) {
            throw new CommandException("The two passwords differ; nothing was changed.");
        }
        return new Secret(first, false);
    }

    static final String NO_TERMINAL = "There is no terminal to prompt for the password: pipe it in with"
            + " --password-stdin (printf '%s\\n' \"$PW\" | bin/warden <command> --password-stdin <username>) or"
            + " let Warden make one with --generate (for devices); nothing was changed.";

    /** @return the shell user running the command, for the audit trail */
    static String actor(Session session) {
        Object user = session.get("USER");
        return "shell:" + (user == null ? "unknown" : user);
    }
}
