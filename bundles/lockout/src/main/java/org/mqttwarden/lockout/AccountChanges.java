package org.mqttwarden.lockout;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears an account's lockout state when its password is changed ({@code account.password}), when it is
 * created ({@code account.create}: a new account starts clean, whatever was guessed against the name
 * * before; likewise {@code account.invite}) or removed ({@code account.remove}), and on an OTP unlock ({@link EventType#OTP} event
 * {@code otp.unlock}, ALLOW). Listens as an {@link EventSink}; the sink sits on the admin's path, so it
 * answers at once with a completed stage and clears on its own thread, moments later.
 * Every other event (the locks {@link LockoutGuard} publishes among them) is ignored.
 */
@Component(service = EventSink.class)
public final class AccountChanges implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(AccountChanges.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final LockoutService lockouts;
    private final ThreadPoolExecutor executor;

    @Activate
    public AccountChanges(@Reference LockoutService lockouts) {
        this.lockouts = lockouts;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1024), r -> {
            Thread t = new Thread(r, "warden-lockout-changes");
            t.setDaemon(true);
            return t;
        });
    }

    @Deactivate
    void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** @return a completed stage, at once; a matching event's clear is queued */
    @Override
    public CompletionStage<Void> accept(SecurityEvent event) {
        String cause = causeOf(event);
        if (cause == null || event.username() == null) {
            return DONE;
        }
        String username = event.username();
        String actor = event.actor() == null ? "unknown" : event.actor();
        try {
            executor.execute(() -> {
                try {
                    lockouts.clearAccount(username, actor, cause);
                } catch (RuntimeException e) {
                    LOG.warn("Could not clear the lockout state of {} after {}: {}", username, event.reason(),
                            e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("Lockout clear of {} after {} dropped: too many account changes at once", username,
                    event.reason());
        }
        return DONE;
    }

    /** @return why the event clears the account's lockout state, or {@code null} when it does not */
    static String causeOf(SecurityEvent e) {
        if (e.outcome() != Outcome.ALLOW) {
            return null;
        }
        if (e.type() == EventType.ADMIN_CHANGE) {
            return switch (e.reason()) {
                case AdminChange.ACCOUNT_PASSWORD -> "password";
                case AdminChange.ACCOUNT_CREATE, AdminChange.ACCOUNT_INVITE -> "account-created";
                case AdminChange.ACCOUNT_REMOVE -> "account-removed";
                default -> null;
            };
        }
        if (e.type() == EventType.OTP && Reasons.OTP_UNLOCK.equals(e.reason())) {
            return "otp";
        }
        return null;
    }
}
