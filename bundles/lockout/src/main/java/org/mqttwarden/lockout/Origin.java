package org.mqttwarden.lockout;

import org.mqttwarden.api.auth.ClientRef;

/**
 * Where one login attempt comes from, as a whole: its client id and, when known, its address. The unit of
 * trust: a username that logged in from an origin is trusted from that origin (see {@link TrustedSources}),
 * and failures from a trusted origin lock that username from that origin only.
 *
 * <p>An attempt whose address is known has a different origin from the same client id without one, so
 * an attacker reusing a device's client id from another address is not trusted.
 *
 * @param client the client id as a {@link SourceKey} value (digested when long), {@code ""} when none
 * @param address the address (digested when long), {@code ""} when not known
 */
public record Origin(String client, String address) {

    public Origin {
        if (client == null || address == null) {
            throw new NullPointerException("client and address are \"\" when absent");
        }
    }

    /** @return the origin of an attempt, or {@code null} when it has neither a client id nor an address */
    static Origin of(ClientRef c) {
        String id = c.clientId() == null || c.clientId().isEmpty() ? "" : SourceKey.client(c.clientId()).value();
        String addr = c.address() == null || c.address().isEmpty() ? "" : SourceKey.client(c.address()).value();
        return id.isEmpty() && addr.isEmpty() ? null : new Origin(id, addr);
    }

    /** @return whether the attempt {@code c} comes from this origin */
    boolean matches(ClientRef c) {
        return equals(of(c));
    }

    /** @return {@code client:<id> addr:<ip>}, either part left out when absent */
    @Override
    public String toString() {
        if (address.isEmpty()) {
            return "client:" + client;
        }
        return client.isEmpty() ? "addr:" + address : "client:" + client + " addr:" + address;
    }
}
