package org.mqttwarden.broker.run;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * The audit records of the shell's broker starts and stops: an admin starting or stopping the broker every device
 * talks to is an admin change, recorded ({@link EventPublisher#record}, waited for) before it is made and not made
 * when it cannot be recorded, as warden-crypto's key changes are. Automatic starts (managed) and restarts are not
 * admin changes and are not recorded here.
 */
public final class BrokerAudit {

    private BrokerAudit() {
    }

    /**
     * @param actor who asks, e.g. {@code shell:karaf}
     * @param detail what is changed (the configuration file, --force); never a secret
     * @return an approval for {@link ManagedBroker#start} or {@link ManagedBroker#stop} that records the change
     *     when asked, and says why not when the record could not be made
     */
    public static Supplier<Optional<String>> recording(EventPublisher events, Clock clock, String what, String actor,
            Map<String, String> detail) {
        return () -> events.record(new SecurityEvent(clock.instant(), EventType.ADMIN_CHANGE, Outcome.ALLOW, what,
                null, Set.of(), null, null, null, null, actor == null ? "unknown" : actor, detail))
                .map(why -> why + "; every broker start and stop from the shell must be in the audit log before it"
                        + " is made, try again in a moment");
    }
}
