package org.mqttwarden.auth;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.ClientAddressResolver;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.store.StoredAccount;

/**
 * Turns decisions into {@link SecurityEvent}s for the event sinks present (through the one
 * {@link EventPublisher}), with the client's address when
 * a {@link ClientAddressResolver} knows it (go-auth sends none). Nothing is built when no sink listens.
 * The address goes to guards and events only, never into a decision.
 */
final class DecisionEvents {

    private final Clock clock;
    private final EventPublisher publisher;
    private final AtomicReference<ClientAddressResolver> addressResolver = new AtomicReference<>();

    DecisionEvents(Clock clock, EventPublisher publisher) {
        this.clock = clock;
        this.publisher = publisher;
    }

    /** @return whether any sink listens; lets callers skip work only an event needs */
    boolean active() {
        return publisher.active();
    }

    void setAddressResolver(ClientAddressResolver resolver) {
        addressResolver.set(resolver);
    }

    void unsetAddressResolver(ClientAddressResolver resolver) {
        // a greedy replacement binds the new resolver before it unbinds the old one
        addressResolver.compareAndSet(resolver, null);
    }

    /** @return the client's address as given, else as the resolver knows it, else null */
    String addressOf(ClientRef client) {
        String given = client.address();
        return given != null ? given : ClientAddresses.resolve(addressResolver.get(), client.clientId());
    }

    /**
     * @param guards whether a login guard will see the client
     * @return the client with its address filled in when a guard or a sink will see it, else as given
     */
    ClientRef withAddress(ClientRef client, boolean guards) {
        if (client.address() != null || (!guards && !active())) {
            return client;
        }
        String address = addressOf(client);
        return address == null ? client : new ClientRef(client.username(), client.clientId(), address);
    }

    /** Emits a login's event (ALLOW or DENY as decided). @return {@code d} */
    Decision login(ClientRef client, StoredAccount account, Decision d) {
        return login(client, account, d, d.allowed() ? Outcome.ALLOW : Outcome.DENY);
    }

    /**
     * Emits a login's event; a security-relevant one is waited for unless it sheds load
     * ({@link SecurityEvent#awaited()}). @return {@code d}
     */
    Decision login(ClientRef client, StoredAccount account, Decision d, Outcome outcome) {
        if (active()) {
            publisher.publish(new SecurityEvent(clock.instant(), EventType.AUTH, outcome, d.reason(),
                    client.username(), rolesOf(account), client.clientId(), client.address(), null, null, null,
                    Map.of()));
        }
        return d;
    }

    /** Emits a superuser question's event. */
    void superuser(String username, StoredAccount account, Decision d) {
        if (active()) {
            publisher.publish(new SecurityEvent(clock.instant(), EventType.SUPERUSER,
                    d.allowed() ? Outcome.ALLOW : Outcome.DENY, d.reason(), username, rolesOf(account), null, null,
                    null, null, null, Map.of()));
        }
    }

    /** Emits an ACL decision's event, with the rule that decided it when there is one. */
    void acl(ClientRef client, StoredAccount account, String topic, Access access, Decision d) {
        if (active()) {
            publisher.publish(new SecurityEvent(clock.instant(), EventType.ACL, d.allowed() ? Outcome.ALLOW
                    : Outcome.DENY, d.reason(), client.username(), rolesOf(account), client.clientId(),
                    addressOf(client), topic, access, null,
                    d.detail().isEmpty() ? Map.of() : Map.of("rule", d.detail())));
        }
    }

    private static Set<String> rolesOf(StoredAccount account) {
        return account == null ? Set.of() : account.roles();
    }
}
