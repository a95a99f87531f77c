package org.mqttwarden.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Tells the network address of a connected MQTT client from its client id. go-auth sends no
 * address with {@code /user}, {@code /superuser} or {@code /acl}, so the decision engine asks this
 * service to fill {@link ClientRef#address()} for the {@link LoginGuard}s and the security events
 * it builds. A bundle that learns the addresses elsewhere (e.g. from the broker's
 * "New client connected from ... as ..." log lines) registers one. When several are registered, the
 * one with the highest service ranking is asked; when none is, addresses stay unknown.
 *
 * <p>It is asked on the decision path, possibly on a thread that must not block (an HTTP IO
 * thread), so {@link #addressOf} must answer at once: from memory, or at most a bounded read of a
 * local file it already follows (tens of KiB, a millisecond; warden-broker reads the newest lines of
 * the broker's log for a client id it has not seen yet); no network, no DNS, no locks held for long. It should forget a client when the broker reports it disconnected, so a reused client id
 * does not inherit an old address.
 */
@ConsumerType
public interface ClientAddressResolver {

    /**
     * The address the broker saw for the client's current connection, as an IP literal without the
     * port: IPv4 in dotted-decimal ({@code 10.0.0.5}); IPv6 in its canonical text (RFC 5952: lower
     * case, longest zero run shortened, no brackets, e.g. {@code 2001:db8::1}), optionally with a
     * zone ({@code fe80::1%eth0}); an IPv4-mapped IPv6 address as plain IPv4. Host names are not
     * addresses. The caller checks the answer and treats anything else (including a host name, a
     * port or more than 64 characters) as unknown, and treats an exception the same way.
     *
     * @param clientId the MQTT client id, never {@code null} or empty
     * @return the address, or {@code null} when the client id is unknown (never connected,
     *     disconnected, or forgotten)
     */
    String addressOf(String clientId);
}
