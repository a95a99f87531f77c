package org.mqttwarden.crypto.client;

import java.io.IOException;

/**
 * The broker could not be reached or refused the connection (unreachable, TLS failed, credentials refused). The
 * message says which, never with a password in it.
 */
public final class BrokerConnectException extends IOException {

    private static final long serialVersionUID = 1L;

    BrokerConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
