package org.mqttwarden.crypto.client;

import java.util.Objects;
import org.mqttwarden.crypto.MessageState;

/**
 * One message a subscription received, as judged. Only an {@link MessageState#OK} message carries plaintext, so
 * application code never sees unverified or replayed data. The sender is named whenever the envelope's tag verified,
 * that is for {@code OK}, {@code REPLAYED} and {@code STALE}: then the header is authentic and the sender known (an
 * audit can say whose message came back), although the message itself is refused. A {@code TAMPERED},
 * {@code UNKNOWN_KEY} or {@code MALFORMED} payload names no sender: whatever sender id it claims is unverified.
 *
 * @param topic the topic it arrived on
 * @param state what it turned out to be
 * @param senderId the authenticated sender when OK, REPLAYED or STALE, otherwise null
 * @param plaintext the decrypted payload when OK (the handler owns the array), otherwise null
 */
public record ReceivedMessage(String topic, MessageState state, String senderId, byte[] plaintext) {

    public ReceivedMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(state, "state");
        if ((state == MessageState.OK) != (plaintext != null)) {
            throw new IllegalArgumentException("Only an OK message carries plaintext");
        }
        if (senderId == null ? state == MessageState.OK : !authentic(state)) {
            throw new IllegalArgumentException("Only an OK, REPLAYED or STALE message names its sender");
        }
    }

    /** @return whether the plaintext may be used */
    public boolean isOk() {
        return state == MessageState.OK;
    }

    /** @return whether a message in this state passed its tag check, so its header (and sender) is authentic */
    static boolean authentic(MessageState state) {
        return state == MessageState.OK || state == MessageState.REPLAYED || state == MessageState.STALE;
    }

    @Override
    public String toString() {
        return "ReceivedMessage[" + state + " on " + topic + (senderId == null ? "" : " from " + senderId)
                + (plaintext == null ? "" : ", " + plaintext.length + " bytes") + "]";
    }
}
