package org.mqttwarden.api.auth;

/**
 * A decision could not be made because something Warden depends on failed (the store is
 * unreachable, a required guard is missing, the node is overloaded). This is not a denial: go-auth
 * is told "error" (HTTP 5xx), and the message is for logs, never for the wire.
 */
public class WardenUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public WardenUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public WardenUnavailableException(String message) {
        super(message);
    }
}
