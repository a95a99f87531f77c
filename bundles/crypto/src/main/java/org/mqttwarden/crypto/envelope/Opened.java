package org.mqttwarden.crypto.envelope;

import java.util.Objects;

import org.mqttwarden.crypto.MessageState;

/**
 * What {@link EnvelopeCodec#open} made of a payload. Only an {@link MessageState#OK} result carries a header and
 * plaintext; every other result carries its state and one reason for the log, which never contains key material,
 * plaintext or text taken from the payload. {@link #toString()} shows neither the plaintext nor its bytes.
 *
 * @param state {@code OK}, {@code TAMPERED}, {@code UNKNOWN_KEY} or {@code MALFORMED} (replay and staleness are
 *        judged after opening, by the replay window)
 * @param reason one sentence for the log: "authentic" when OK, otherwise why the payload was refused
 * @param header the authenticated header when OK, otherwise null
 * @param plaintext the decrypted payload when OK (the caller owns the array), otherwise null
 */
public record Opened(MessageState state, String reason, EnvelopeHeader header, byte[] plaintext) {

    public Opened {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        if ((state == MessageState.OK) != (header != null && plaintext != null)) {
            throw new IllegalArgumentException("Only an OK result carries a header and plaintext");
        }
    }

    static Opened ok(EnvelopeHeader header, byte[] plaintext) {
        return new Opened(MessageState.OK, "authentic", header, plaintext);
    }

    static Opened refused(MessageState state, String reason) {
        return new Opened(state, reason, null, null);
    }

    /** @return whether the payload is authentic and its plaintext may be used (replay checks still to come) */
    public boolean isOk() {
        return state == MessageState.OK;
    }

    @Override
    public String toString() {
        return "Opened[" + state + ": " + reason
                + (header == null ? "" : ", " + header + ", " + plaintext.length + " bytes") + "]";
    }
}
