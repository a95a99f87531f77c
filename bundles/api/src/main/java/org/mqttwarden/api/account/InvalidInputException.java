package org.mqttwarden.api.account;

/**
 * A request to change accounts, roles or rules was refused because of its input: a bad name, a
 * short password, an unknown account, a duplicate. The message is one sentence meant for the admin
 * who made the request; nothing was changed.
 */
public class InvalidInputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }
}
