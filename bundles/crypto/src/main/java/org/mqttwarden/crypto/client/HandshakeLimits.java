package org.mqttwarden.crypto.client;

/**
 * How much handshake work a responder takes on, so that a flood of hellos cannot occupy it: each answered hello
 * costs an Ed25519 check, an X25519 key pair and agreement and an Ed25519 signature (about a millisecond). Hellos
 * that are malformed, from unpinned peers, without a usable response topic, or already seen are refused before any
 * of that and count against no limit; the others take a token from a bucket for all peers and one from their
 * peer's bucket, and wait in a bounded queue for the one thread that answers. What does not fit is refused (the
 * initiator's handshake times out and it tries again with its next message).
 *
 * <p>The per-peer bucket is charged before the hello's signature is checked (checking is the cost it bounds), so
 * whoever can publish to the request topic can spend a pinned peer's tokens by claiming its id: such a flood
 * delays that peer's next handshake, never anyone's session in use. Restrict who may publish there in the broker.
 *
 * @param perSecond handshakes per second for all peers together, sustained (1 to 10 000)
 * @param burst how many of those may come at once (at least 1)
 * @param perPeerPerSecond handshakes per second for one peer, sustained (at most {@code perSecond})
 * @param perPeerBurst how many of one peer's may come at once (at least 1)
 * @param queue how many checked hellos may wait for the answering thread (1 to 10 000)
 */
public record HandshakeLimits(int perSecond, int burst, int perPeerPerSecond, int perPeerBurst, int queue) {

    /** 50 per second (burst 50), 2 per second per peer (burst 10), 64 waiting. */
    public static final HandshakeLimits DEFAULTS = new HandshakeLimits(50, 50, 2, 10, 64);

    public HandshakeLimits {
        if (perSecond < 1 || perSecond > 10_000 || burst < 1 || perPeerPerSecond < 1 || perPeerPerSecond > perSecond
                || perPeerBurst < 1 || queue < 1 || queue > 10_000) {
            throw new IllegalArgumentException("Handshake limits need 1 to 10000 per second, a burst of at least 1,"
                    + " at most as many per peer as in all, and a queue of 1 to 10000");
        }
    }
}
