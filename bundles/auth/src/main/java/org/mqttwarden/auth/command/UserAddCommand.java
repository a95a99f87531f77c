package org.mqttwarden.auth.command;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.api.text.Printable;

@Service
@Command(scope = "warden", name = "user-add", description = "Creates an MQTT account. The password is prompted,"
        + " read from stdin (--password-stdin) or generated (--generate, printed once); or, with --invite, the"
        + " account's holder sets it with a code e-mailed to --email, so no admin ever knows it.")
public class UserAddCommand extends WardenAction {

    @Argument(index = 0, name = "username", required = true, description = "The MQTT username")
    String username;

    @Option(name = "--role", aliases = "-r", multiValued = true, description = "Role to grant (repeatable)")
    @Completion(RoleCompleter.class)
    List<String> roles;

    @Option(name = "--email", description = "E-mail address for account recovery (required with --invite)")
    String email;

    @Option(name = "--password-stdin", description = "Read the password from the first line of standard input")
    boolean passwordStdin;

    @Option(name = "--generate", description = "Generate a long random password (for devices) and print it once")
    boolean generate;

    @Option(name = "--invite", description = "Create the account without a password (it cannot log in) and e-mail"
            + " a verify code to --email, with which its holder sets one (needs the warden-otp feature)")
    boolean invite;

    /** warden-otp's service, in another bundle that may not be installed: then an invitation says so. */
    @Reference(optional = true)
    OtpService otp;

    /** The channels warden-otp delivers codes through (e-mail is off while its mail.host is empty). */
    @Reference
    List<OtpChannel> channels;

    @Override
    void run() throws Exception {
        if (invite) {
            for (String line : invite(accounts, otp, channels, username, roles, email, passwordStdin || generate,
                    actor())) {
                println(line);
            }
            return;
        }
        if (accounts.findAccount(username).isPresent()) {
            throw new CommandException("An account named '" + username + "' already exists.");
        }
        // everything that can be checked is checked before a password is asked for or made
        Roles.requireKnown(accounts, roles);
        Secrets.Secret secret = Secrets.obtain(session, accounts, passwordStdin, generate);
        Account a = accounts.createAccount(username, secret.password(),
                roles == null ? Set.of() : new LinkedHashSet<>(roles), email, actor());
        println(created("Created account ", a));
        secret.announce(session);
    }

    /**
     * Creates an invited account and asks warden-otp for its {@code verify} code. Public for warden-otp's tests,
     * which have a real {@link OtpService} (warden-auth's cannot depend on warden-otp).
     *
     * @param otp warden-otp's service, or {@code null} when it is not installed: the account is created all the
     *     same and the lines say how to send its code later
     * @param channels the delivery channels: when none reaches the address (mail is off), the account is created
     *     and no code asked for, and the lines say so
     * @param passwordGiven whether a password option came with {@code --invite}: refused, nothing is changed
     * @param actor the shell user, also the source of the code request for the audit log
     * @return the lines to print: what was created, where the code goes and how to see what became of it
     * @throws CommandException for input refused before anything is changed
     * @throws org.mqttwarden.api.account.InvalidInputException when the account service refuses it (nothing
     *     changed)
     */
    public static List<String> invite(AccountService accounts, OtpService otp, List<OtpChannel> channels,
            String username, List<String> roles, String email, boolean passwordGiven, String actor)
            throws CommandException {
        if (passwordGiven) {
            throw new CommandException("An invited account sets its own password: use --invite without"
                    + " --password-stdin or --generate. Nothing was changed.");
        }
        if (email == null || email.isBlank()) {
            throw new CommandException("--invite needs --email: the code that lets " + Printable.escape(username)
                    + " set a password goes to that address. Nothing was changed.");
        }
        if (accounts.findAccount(username).isPresent()) {
            throw new CommandException("An account named '" + Printable.escape(username) + "' already exists.");
        }
        Roles.requireKnown(accounts, roles);
        Account a = accounts.inviteAccount(username, roles == null ? Set.of() : new LinkedHashSet<>(roles), email,
                actor);
        String name = Printable.escape(a.username());
        String first = created("Created invited account ", a)
                + ": it has no password and cannot log in until one is set.";
        if (otp == null) {
            return List.of(first, "No code could be sent: warden-otp is not installed. Install it"
                    + " (feature:install warden-otp), then send one with: warden:otp-send --purpose verify " + name);
        }
        String later = "Send one later with: warden:otp-send --purpose verify " + name;
        if (!reached(channels, a.email())) {
            return List.of(first, "No code was sent: no delivery channel reaches " + mask(a.email()) + " (e-mail is"
                    + " off while mail.host of org.mqttwarden.otp is empty, or its mail settings were refused:"
                    + " karaf.log says why). " + later);
        }
        try {
            otp.request(a.username(), OtpPurpose.VERIFY, actor);
        } catch (RuntimeException e) {
            // the account exists now: say so, and how to send the code once warden-otp works again
            return List.of(first, "No code could be sent: warden-otp failed (" + Printable.escape(e.toString())
                    + "). " + later);
        }
        return List.of(first, "Asked warden-otp to send a verify code to " + mask(a.email()) + ", with which "
                + name + " sets the password. warden:otp-status " + name + " shows its delivery; if it lists no"
                + " code, warden:audit-search --type OTP --user " + name + " says why.");
    }

    /** @return whether a channel reaches {@code address} now, as warden-otp will ask when it sends the code */
    private static boolean reached(List<OtpChannel> channels, String address) {
        for (OtpChannel c : channels == null ? List.<OtpChannel>of() : channels) {
            try {
                if (c.reaches(address)) {
                    return true;
                }
            } catch (RuntimeException e) {
                // a channel that cannot say does not reach, as for warden-otp
            }
        }
        return false;
    }

    private static String created(String what, Account a) {
        return what + Printable.escape(a.username()) + (a.roles().isEmpty() ? ""
                : " with roles " + String.join(", ", new TreeSet<>(a.roles())));
    }

    /**
     * @return {@code email} with its local part hidden but for its first character ({@code a***@example.org}):
     *     enough for the admin to recognise it in a shared terminal or a screenshot
     */
    static String mask(String email) {
        int at = email.lastIndexOf('@');
        if (at < 1) {
            return "***";
        }
        return Printable.escape(new String(Character.toChars(email.codePointAt(0))) + "***" + email.substring(at));
    }
}
