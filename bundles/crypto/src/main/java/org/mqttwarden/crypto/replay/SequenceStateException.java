package org.mqttwarden.crypto.replay;

import java.io.IOException;

/**
 * A sender's sequence state file exists but cannot be trusted (unreadable, or not what {@link SequenceCounter}
 * writes). The counter refuses to start rather than start over, since numbers it handed out before would be handed
 * out again and every receiver would drop them as replays.
 */
public final class SequenceStateException extends IOException {

    private static final long serialVersionUID = 1L;

    SequenceStateException(String message) {
        super(message);
    }

    SequenceStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
