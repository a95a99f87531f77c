package org.mqttwarden.api.auth;

import java.util.Objects;
import java.util.Optional;

/**
 * Who is asking: the MQTT username, the client id and, when something knows it, the client's
 * network address.
 *
 * <p>go-auth sends no address, so a {@code ClientRef} built from its requests has none. When a
 * {@link ClientAddressResolver} is registered, the decision engine fills the address from the
 * client id before it asks the {@link LoginGuard}s and before it emits security events, so both
 * see it; the decision itself never depends on it. An address given here is kept as it is.
 *
 * @param username the MQTT username
 * @param clientId the MQTT client id, empty when unknown
 * @param address the client's IP address without port (see {@link ClientAddressResolver#addressOf}),
 *     or {@code null} when unknown
 */
public record ClientRef(String username, String clientId, String address) {

    public ClientRef {
        Objects.requireNonNull(username, "username");
        clientId = clientId == null ? "" : clientId;
    }

    /** @return the client's network address, when known */
    public Optional<String> knownAddress() {
        return Optional.ofNullable(address);
    }
}
