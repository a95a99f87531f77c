package org.mqttwarden.otp;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.text.Printable;

/**
 * What {@code warden:totp-enroll} and {@code warden:totp-disable} do, apart from the shell: each change is
 * recorded in the audit log before it is made ({@link AdminChange#ACCOUNT_TOTP_ENROLL},
 * {@link AdminChange#ACCOUNT_TOTP_DISABLE}; never with the secret), and refused when it cannot be recorded.
 */
public final class TotpAdmin {

    private final TotpEnrollments enrollments;
    private final AccountService accounts;
    private final EventPublisher events;
    private final Clock clock;

    public TotpAdmin(TotpEnrollments enrollments, AccountService accounts, EventPublisher events, Clock clock) {
        this.enrollments = enrollments;
        this.accounts = accounts;
        this.events = events;
        this.clock = clock;
    }

    /**
     * @param again whether an enrolled account gets a new secret (its authenticator app stops working)
     * @return the {@code otpauth://} URI with the new secret, to show once
     * @throws InvalidInputException when there is no such account, it is enrolled and {@code again} is false, or
     *     the change could not be recorded
     */
    public String enroll(String username, boolean again, String actor) {
        if (username == null || accounts.findAccount(username).isEmpty()) {
            throw new InvalidInputException("There is no account named '" + Printable.escape(username) + "'.");
        }
        boolean enrolled = enrollments.required(username);
        if (enrolled && !again) {
            throw new InvalidInputException("Account '" + Printable.escape(username) + "' already has TOTP. Add"
                    + " --force to replace its secret (its authenticator app stops working at once), or"
                    + " warden:totp-disable it first.");
        }
        record(AdminChange.ACCOUNT_TOTP_ENROLL, username, actor, Map.of("replaced", Boolean.toString(enrolled)));
        return enrollments.enroll(username);
    }

    /** @return whether the account had TOTP (false: nothing to do, and nothing recorded) */
    public boolean disable(String username, String actor) {
        if (username == null || !enrollments.required(username)) {
            return false;
        }
        record(AdminChange.ACCOUNT_TOTP_DISABLE, username, actor, Map.of());
        return enrollments.disable(username);
    }

    private void record(String what, String username, String actor, Map<String, String> detail) {
        SecurityEvent event = new SecurityEvent(clock.instant(), EventType.ADMIN_CHANGE, Outcome.ALLOW, what,
                username, Set.of(), null, null, null, null, actor == null ? "unknown" : actor, detail);
        String why = events.record(event).orElse(null);
        if (why != null) {
            throw new InvalidInputException("Nothing was changed: " + why + ". Every change must be in the audit"
                    + " log before it is made; try again in a moment.");
        }
    }
}
