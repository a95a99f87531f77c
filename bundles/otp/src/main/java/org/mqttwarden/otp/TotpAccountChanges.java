package org.mqttwarden.otp;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
 * Ends an account's TOTP enrolment when the account is removed, or created or invited anew under the name: a new
 * account must not inherit the second factor (and the secret) of an old one of the same name. Listens as an
 * {@link EventSink}, which sits on the admin's path: it answers at once and deletes on its own thread.
 */
@Component(service = EventSink.class)
public final class TotpAccountChanges implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(TotpAccountChanges.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final TotpEnrollments enrollments;
    private final ThreadPoolExecutor executor;

    @Activate
    public TotpAccountChanges(@Reference TotpEnrollments enrollments) {
        this.enrollments = enrollments;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1024), r -> {
            Thread t = new Thread(r, "warden-otp-account-changes");
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

    @Override
    public CompletionStage<Void> accept(SecurityEvent event) {
        if (!ends(event) || !enrollments.required(event.username())) {
            return DONE;
        }
        String username = event.username();
        enrollments.stopRequiring(username);
        try {
            executor.execute(() -> {
                try {
                    enrollments.disable(username);
                    LOG.info("TOTP enrolment of {} ended: {}", username, event.reason());
                } catch (RuntimeException e) {
                    LOG.warn("Could not end the TOTP enrolment of {} after {}: {}", username, event.reason(),
                            e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("TOTP enrolment of {} not ended after {}: too many account changes at once", username,
                    event.reason());
        }
        return DONE;
    }

    /** @return whether the event ends the enrolment of its account */
    static boolean ends(SecurityEvent e) {
        return e.type() == EventType.ADMIN_CHANGE && e.outcome() == Outcome.ALLOW && e.username() != null
                && switch (e.reason()) {
                    case AdminChange.ACCOUNT_REMOVE, AdminChange.ACCOUNT_CREATE, AdminChange.ACCOUNT_INVITE -> true;
                    default -> false;
                };
    }
}
