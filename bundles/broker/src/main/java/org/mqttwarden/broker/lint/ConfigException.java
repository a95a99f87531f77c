package org.mqttwarden.broker.lint;

/**
 * The main file cannot be linted at all: it cannot be read, or it is not a Mosquitto configuration. The message
 * is one sentence for the user, naming the file.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    ConfigException(String message) {
        super(message);
    }
}
