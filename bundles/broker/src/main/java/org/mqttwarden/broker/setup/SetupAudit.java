package org.mqttwarden.broker.setup;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * broker-init and broker-client-cert are admin changes: each is recorded in the audit log before it is made, and
 * not made when it cannot be recorded; one that then fails is followed by an ERROR record. The detail names the
 * folder or client, never a key or password.
 */
public final class SetupAudit {

    private SetupAudit() {
    }

    /** The change, as the shell runs it. */
    @FunctionalInterface
    public interface Change<T> {
        T run() throws Exception;
    }

    /**
     * @return what {@code change} returned
     * @throws SetupException when the change cannot be recorded first (it is not made)
     * @throws Exception what the change threw, after an ERROR record
     */
    public static <T> T audited(EventPublisher events, String what, String actor, Map<String, String> detail,
            Change<T> change) throws Exception {
        String why = events.record(event(Outcome.ALLOW, what, actor, detail)).orElse(null);
        if (why != null) {
            throw new SetupException("Nothing was changed: " + why + ". Every broker setup change must be in the"
                    + " audit log before it is made; try again in a moment.");
        }
        try {
            return change.run();
        } catch (Exception e) {
            Map<String, String> failed = new HashMap<>(detail);
            failed.put("error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            events.offer(event(Outcome.ERROR, what, actor, failed));
            throw e;
        }
    }

    private static SecurityEvent event(Outcome outcome, String what, String actor, Map<String, String> detail) {
        return new SecurityEvent(Instant.now(), EventType.ADMIN_CHANGE, outcome, what, null, Set.of(), null, null,
                null, null, actor == null ? "unknown" : actor, detail);
    }
}
