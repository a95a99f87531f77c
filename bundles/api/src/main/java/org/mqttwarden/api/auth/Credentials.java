package org.mqttwarden.api.auth;

import java.util.Objects;

/**
 * What a client presents on CONNECT. The password never appears in {@link #toString()}.
 *
 * @param username the MQTT username
 * @param password the MQTT password, as sent
 * @param clientId the MQTT client id (may be empty)
 */
public record Credentials(String username, String password, String clientId) {

    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        clientId = clientId == null ? "" : clientId;
    }

    /** @return the client this login comes from, without the secret */
    public ClientRef client() {
        return new ClientRef(username, clientId, null);
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", clientId=" + clientId + ", password=***]";
    }
}
