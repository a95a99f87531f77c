package org.mqttwarden.crypto.client;

import java.util.Objects;
import org.mqttwarden.crypto.MessageState;

/**
 * One message a subscription received, as judged. Only an {@link MessageState#OK} message carries plaintext and a
 * sender: a rejected one carries its topic and state alone, so application code never sees unverified data.
 *
 * @param topic the topic it arrived on
 * @param state what it turned out to be
 * @param senderId the authenticated sender when OK, otherwise null
 * @param plaintext the decrypted payload when OK (the handler owns the array), otherwise null
 */
public record ReceivedMessage(String topic, MessageState state, String senderId, byte[] plaintext) {

    public ReceivedMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(state, "state");
        if ((state == MessageState.OK) != (plaintext != null && senderId != null)) {
            throw new IllegalArgumentException("Only an OK message carries a sender and plaintext");
        }
    }

    /** @return whether the plaintext may be used */
    public boolean isOk() {
        return state == MessageState.OK;
    }

    @Override
    public String toString() {
        return "ReceivedMessage[" + state + " on " + topic
                + (plaintext == null ? "" : " from " + senderId + ", " + plaintext.length + " bytes") + "]";
    }
}
