package org.mqttwarden.crypto.session;

/** A handshake message refused: malformed, from an unknown peer, badly signed, or a degenerate key. */
public final class HandshakeException extends Exception {

    private static final long serialVersionUID = 1L;

    public HandshakeException(String message) {
        super(message);
    }
}
