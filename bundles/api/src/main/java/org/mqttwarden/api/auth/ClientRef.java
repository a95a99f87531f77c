package org.mqttwarden.api.auth;

import java.util.Objects;
import java.util.Optional;

/**
 * Who is asking: the MQTT username, the client id and, when something knows it, the client's
 * network address. go-auth sends no address, so it is usually absent.
 *
 * @param username the MQTT username
 * @param clientId the MQTT client id, empty when unknown
 * @param address the client's address, or {@code null} when unknown
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
