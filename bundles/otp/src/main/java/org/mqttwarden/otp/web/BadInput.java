package org.mqttwarden.otp.web;

/**
 * A request that cannot be carried out as sent: answered with {@link #status()} and the message, a sentence about
 * the request's form only (never whether an account exists, never a code or password).
 */
final class BadInput extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    BadInput(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    BadInput(String message) {
        this(400, message);
    }

    int status() {
        return status;
    }
}
