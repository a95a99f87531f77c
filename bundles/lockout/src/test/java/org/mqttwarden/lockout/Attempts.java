package org.mqttwarden.lockout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.LoginGuard;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.SecurityEvent;

/** Drives a guard as the decision engine does: check, and when it allows, the outcome. */
final class Attempts {

    static final String BAD = "auth.bad-password";
    static final String UNKNOWN = "auth.unknown-user";
    static final String OK = "auth.ok";

    private final LoginGuard guard;

    Attempts(LoginGuard guard) {
        this.guard = guard;
    }

    /** @return the guard's decision; when it allowed, the outcome given (allow for a success) */
    Decision attempt(ClientRef client, boolean success, String reason) {
        Decision d = guard.check(client);
        if (!d.allowed()) {
            return d;
        }
        guard.outcome(client, success, reason);
        return success ? Decision.allow(reason, "") : Decision.deny(reason, "");
    }

    Decision wrong(String user) {
        return attempt(new ClientRef(user, "client-" + user, null), false, BAD);
    }

    Decision wrong(String user, String clientId) {
        return attempt(new ClientRef(user, clientId, null), false, BAD);
    }

    Decision ghost(String user, String clientId) {
        return attempt(new ClientRef(user, clientId, null), false, UNKNOWN);
    }

    Decision right(String user) {
        return attempt(new ClientRef(user, "client-" + user, null), true, OK);
    }

    Decision right(String user, String clientId) {
        return attempt(new ClientRef(user, clientId, null), true, OK);
    }

    /** @return the reason the guard gives for {@code user}'s next attempt ({@code lockout.ok} when allowed) */
    String status(String user) {
        ClientRef c = new ClientRef(user, "probe-" + user, null);
        Decision d = guard.check(c);
        if (d.allowed()) {
            guard.outcome(c, false, "auth.error");
        }
        return d.reason();
    }

    /** A sink recording what it gets. */
    static final class Sink implements EventSink {
        final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public java.util.concurrent.CompletionStage<Void> accept(SecurityEvent event) {
            events.add(event);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }
}
