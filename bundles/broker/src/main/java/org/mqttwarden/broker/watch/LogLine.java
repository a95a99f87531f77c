package org.mqttwarden.broker.watch;

import java.util.Objects;

/**
 * What one line of Mosquitto's log says about a client connection, as {@link LogParser} reads it. Fields a line
 * does not carry are {@code null} (or {@code -1} for a port).
 *
 * @param kind what happened
 * @param epochSecond the line's timestamp in seconds since the epoch, or {@code -1} when it has none that parses
 * @param clientId the client id, or {@code null} when the line has none or says {@code <unknown>}
 * @param address the remote address, an IP literal without brackets or port, or {@code null}
 * @param remotePort the client's source port, or {@code -1}
 * @param username the username of a connected client ({@code u'...'}), or {@code null}
 * @param protocol Mosquitto's protocol number of a connected client ({@code p1}: MQTT 3.1, {@code p2}: 3.1.1,
 *     {@code p5}: 5, as the recorded 2.0.11 log shows), or {@code -1}
 */
record LogLine(Kind kind, long epochSecond, String clientId, String address, int remotePort, String username,
        int protocol) {

    /** What a line says. */
    enum Kind {
        /** {@code New connection from A:P on port L.}: a TCP connection was accepted, before any CONNECT. */
        ACCEPTED,
        /** {@code New client connected from A:P as ID (...)}: the client logged in (after the auth plugin). */
        CONNECTED,
        /** The client left: {@code disconnected}, {@code closed its connection}, a timeout, a socket error. */
        DISCONNECTED,
        /** The broker refused the login: {@code disconnected, not authorised} (2.0) or {@code : not authorised} (2.1). */
        NOT_AUTHORISED,
        /** The broker dropped the client for a malformed packet or a protocol violation. */
        PROTOCOL_ERROR,
        /** {@code mosquitto version V starting} or {@code terminating}: no client is connected any more. */
        BROKER_RESTART
    }

    LogLine {
        Objects.requireNonNull(kind, "kind");
    }

    /** @return {@code A:P} of the connection, or {@code null} when the line names no address and port */
    String endpoint() {
        return address == null || remotePort < 0 ? null : address + ":" + remotePort;
    }
}
