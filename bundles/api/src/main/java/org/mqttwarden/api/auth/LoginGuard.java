package org.mqttwarden.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service asked before each password check and told each outcome (lockout, throttling).
 * Guards must answer quickly and must not block on slow I/O in {@link #check}.
 */
@ConsumerType
public interface LoginGuard {

    /**
     * The reason of a refusal that sheds load: the guard refused without judging the attempt (no password
     * was checked, no failure counted) because the login work it allows is spent. The authenticator
     * answers such a refusal without waiting for its security event to be stored (the event is still
     * emitted, and stored with the next commit): under a flood, a durable write per refusal would cost
     * the broker more than the refusal saves it.
     *
     * @since 1.2
     */
    String BUSY = "login.busy";

    /**
     * Asked before the password is checked. A denial stops the login without running bcrypt, and
     * the client gets exactly the answer of a wrong password.
     *
     * @return an allow to go on, or a denial with the reason code for the audit log
     */
    Decision check(ClientRef client);

    /**
     * The same question, knowing what the password check that follows will cost. A guard that budgets
     * login work (time spent on sources it does not trust) need not budget a check that is cheap
     * whatever the password: a generated secret checked by a fast hash. The authenticator tells this
     * from the form of the password submitted, never from the account, so it reveals nothing.
     *
     * @param slowCheck whether the check that follows runs a slow password hash (bcrypt)
     * @return as {@link #check(ClientRef)}
     * @since 1.2
     */
    default Decision check(ClientRef client, boolean slowCheck) {
        return check(client);
    }

    /**
     * Asked before {@link #check} where refusing must cost as little as possible (a flood's attempts):
     * whether this guard refuses the attempt at once as {@link #BUSY}, without judging it. It reserves
     * nothing and needs no {@link #outcome}; the guard counts what it sheds itself. Answering {@code false}
     * promises nothing: {@link #check} still decides. Asked on a thread that must not block (an HTTP IO
     * thread): answer from memory, no I/O, no lock held for long.
     *
     * @param slowCheck as for {@link #check(ClientRef, boolean)}
     * @return whether to refuse the attempt now with reason {@link #BUSY}
     * @since 1.2
     */
    default boolean shed(ClientRef client, boolean slowCheck) {
        return false;
    }

    /**
     * Told after the password check.
     *
     * @param success whether the credentials were right
     * @param reason the authenticator's reason code
     */
    void outcome(ClientRef client, boolean success, String reason);
}
