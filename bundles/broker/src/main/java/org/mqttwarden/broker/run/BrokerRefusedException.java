package org.mqttwarden.broker.run;

/**
 * Why the managed broker was not started or stopped, in one sentence for an admin: the shell commands show it as
 * it is, and nothing was changed. Expected (a missing configuration, a port in use), so a checked exception.
 */
public final class BrokerRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    public BrokerRefusedException(String sentence) {
        super(sentence);
    }
}
