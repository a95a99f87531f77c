package org.mqttwarden.api.account;

/**
 * A change to accounts, roles or rules was refused because its audit record could not be made: the audit
 * log refused the event (its queue full, the log closed) or did not confirm it in time. Nothing was
 * changed; the message says why and is meant for the admin who asked. Trying again later may succeed.
 */
public class ChangeNotRecordedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ChangeNotRecordedException(String message) {
        super(message);
    }
}
