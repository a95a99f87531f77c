package org.mqttwarden.broker.setup;

/** Setup refused or failed; the message is one sentence for an admin, and never holds a key or password. */
public final class SetupException extends Exception {

    private static final long serialVersionUID = 1L;

    public SetupException(String message) {
        super(message);
    }

    public SetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
