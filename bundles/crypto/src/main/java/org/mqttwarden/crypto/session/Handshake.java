package org.mqttwarden.crypto.session;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;

import org.bouncycastle.math.ec.rfc7748.X25519;
import org.mqttwarden.crypto.internal.Hkdf;

/**
 * The session handshake, version 1: two messages, a hello from the initiator (a device) and a reply from the
 * responder (its peer, e.g. a gateway service), each carrying a fresh X25519 ephemeral public key signed with the
 * sender's Ed25519 identity. Both sides derive the same two direction keys; nothing secret crosses the wire.
 *
 * <pre>
 * hello = "WHS1" | 'H' | len(id_I) | id_I | eph_I (32) | nonce_I (16) | sig_I (64)
 *         sig_I = Ed25519(identity_I, "MQTT Warden handshake v1 hello" | len(id_I) | id_I | eph_I | nonce_I)
 * reply = "WHS1" | 'R' | len(id_R) | id_R | eph_R (32) | nonce_R (16) | sig_R (64)
 *         sig_R = Ed25519(identity_R, "MQTT Warden handshake v1 reply" | SHA-256(hello) | len(id_R) | id_R
 *                 | eph_R | nonce_R)
 * shared = X25519(eph private, peer's eph public), refused when all zero (a low-order point)
 * okm    = HKDF-SHA256(ikm = shared, salt = SHA-256(hello | reply), info = "MQTT Warden session v1", 80 bytes)
 *          initiator-to-responder key = okm[0..32), responder-to-initiator key = okm[32..64), session id = okm[64..80)
 * </pre>
 * ({@code len} is one byte; ids are UTF-8.) The reply's signature covers the hello, so a reply cannot be grafted
 * onto another hello; the keys depend on both ephemerals, so a recorded hello replayed to the responder gets a
 * reply whose keys the replayer cannot compute. The ephemeral private keys are zeroed as soon as the shared secret
 * is computed (and the shared secret once the keys are derived): a long-term identity key stolen later reveals no
 * past session.
 */
public final class Handshake {

    static final byte[] MAGIC = "WHS1".getBytes(StandardCharsets.US_ASCII);
    static final byte HELLO = 'H';
    static final byte REPLY = 'R';
    static final int KEY = 32;
    static final int NONCE = 16;
    static final int SIGNATURE = 64;
    private static final byte[] HELLO_CONTEXT = "MQTT Warden handshake v1 hello".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLY_CONTEXT = "MQTT Warden handshake v1 reply".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SESSION_INFO = "MQTT Warden session v1".getBytes(StandardCharsets.US_ASCII);

    private Handshake() {
    }

    /** The initiator's side between its hello and the peer's reply. Use once. */
    public static final class Initiation {
        private final Identity me;
        private final Clock clock;
        private final byte[] ephemeral = new byte[X25519.SCALAR_SIZE];
        private final byte[] hello;
        private boolean done;

        private Initiation(Identity me, SecureRandom random, Clock clock) {
            this.me = me;
            this.clock = clock;
            X25519.generatePrivateKey(random, ephemeral);
            this.hello = signed(HELLO, me, publicOf(ephemeral), nonce(random), HELLO_CONTEXT, new byte[0]);
        }

        /** @return the hello to send (e.g. as an MQTT 5 request with a response topic and correlation data) */
        public byte[] hello() {
            return hello.clone();
        }

        /**
         * Checks the reply against the pinned key of the peer it names, derives the session and erases the
         * ephemeral key (also when the reply is refused: one hello, one try).
         *
         * @param expectedPeer the id the initiator meant to talk to; a reply signed by another known peer is refused
         */
        public Session finish(byte[] reply, String expectedPeer, Peers peers) throws HandshakeException {
            if (done) {
                throw new HandshakeException("This handshake is over: start a new one");
            }
            done = true;
            try {
                Parsed r = parse(reply, REPLY);
                if (!r.id().equals(expectedPeer)) {
                    throw new HandshakeException("The reply is from " + r.id() + ", not from " + expectedPeer);
                }
                verify(r, peers, REPLY_CONTEXT, sha256(hello));
                return Session.derive(me.id(), r.id(), true, agree(ephemeral, r.ephemeral()), hello, reply,
                        clock.instant());
            } finally {
                Arrays.fill(ephemeral, (byte) 0);
            }
        }

        /** Whether the ephemeral private key is erased; for tests. */
        boolean erased() {
            for (byte b : ephemeral) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The responder's side: the reply to send and the session, both ready at once. */
    public record Response(byte[] reply, Session session) {
    }

    /** @return a new handshake from {@code me}; send its {@link Initiation#hello()} */
    public static Initiation initiate(Identity me, SecureRandom random, Clock clock) {
        return new Initiation(me, random, clock);
    }

    /**
     * Answers a hello from a pinned peer: verifies its signature, makes a fresh ephemeral key, signs the reply over
     * the hello, derives the session and erases the ephemeral key.
     */
    public static Response respond(Identity me, byte[] hello, Peers peers, SecureRandom random, Clock clock)
            throws HandshakeException {
        Parsed h = parse(hello, HELLO);
        verify(h, peers, HELLO_CONTEXT, new byte[0]);
        byte[] ephemeral = new byte[X25519.SCALAR_SIZE];
        try {
            X25519.generatePrivateKey(random, ephemeral);
            byte[] reply = signed(REPLY, me, publicOf(ephemeral), nonce(random), REPLY_CONTEXT, sha256(hello));
            Session session = Session.derive(me.id(), h.id(), false, agree(ephemeral, h.ephemeral()), hello, reply,
                    clock.instant());
            return new Response(reply, session);
        } finally {
            Arrays.fill(ephemeral, (byte) 0);
        }
    }

    /** The longest hello or reply (an id of 255 bytes), so a receiver can refuse anything longer unread. */
    public static final int MAX_MESSAGE_BYTES = MAGIC.length + 2 + 255 + KEY + NONCE + SIGNATURE;

    /**
     * Reads the id a hello claims to be from, checking only its form (nothing is verified): lets a responder refuse
     * hellos from unknown peers before it spends a signature check on them.
     *
     * @throws HandshakeException if it is not a well-formed hello
     */
    public static String helloSender(byte[] hello) throws HandshakeException {
        return parse(hello, HELLO).id();
    }

    // ---- wire form

    record Parsed(byte kind, String id, byte[] ephemeral, byte[] nonce, byte[] signature, byte[] signedPart) {
    }

    static Parsed parse(byte[] m, byte kind) throws HandshakeException {
        if (m == null || m.length < MAGIC.length + 2) {
            throw new HandshakeException("Not a handshake message: too short");
        }
        if (!Arrays.equals(m, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new HandshakeException("Not a version 1 handshake message");
        }
        if (m[MAGIC.length] != kind) {
            throw new HandshakeException("Expected a " + (kind == HELLO ? "hello" : "reply") + ", got another kind");
        }
        int idLength = m[MAGIC.length + 1] & 0xFF;
        int idAt = MAGIC.length + 2;
        int expected = idAt + idLength + KEY + NONCE + SIGNATURE;
        if (idLength == 0 || m.length != expected) {
            throw new HandshakeException("Malformed handshake message: " + m.length + " bytes where the id's length"
                    + " makes " + expected);
        }
        String id;
        try {
            id = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(m, idAt, idLength)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new HandshakeException("Malformed handshake message: the id is not UTF-8");
        }
        int at = idAt + idLength;
        byte[] eph = Arrays.copyOfRange(m, at, at + KEY);
        byte[] nonce = Arrays.copyOfRange(m, at + KEY, at + KEY + NONCE);
        byte[] sig = Arrays.copyOfRange(m, at + KEY + NONCE, m.length);
        byte[] signedPart = Arrays.copyOfRange(m, MAGIC.length, at + KEY + NONCE);
        return new Parsed(kind, id, eph, nonce, sig, signedPart);
    }

    private static void verify(Parsed p, Peers peers, byte[] context, byte[] bound) throws HandshakeException {
        byte[] key = peers.publicKey(p.id()).orElseThrow(() -> new HandshakeException("Unknown peer " + p.id()));
        if (!Identity.verify(key, concat(context, bound, p.signedPart()), p.signature())) {
            throw new HandshakeException("The signature of " + p.id() + " does not verify: altered, or not from its"
                    + " identity key");
        }
    }

    private static byte[] signed(byte kind, Identity me, byte[] ephemeralPublic, byte[] nonce, byte[] context,
            byte[] bound) {
        byte[] id = me.id().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(kind);
        body.write(id.length);
        body.writeBytes(id);
        body.writeBytes(ephemeralPublic);
        body.writeBytes(nonce);
        byte[] signedPart = body.toByteArray();
        // the kind byte is signed too: a hello cannot pass for a reply
        byte[] signature = me.sign(concat(context, bound, signedPart));
        return concat(MAGIC, signedPart, signature);
    }

    private static byte[] agree(byte[] ephemeral, byte[] peerPublic) throws HandshakeException {
        byte[] shared = new byte[X25519.POINT_SIZE];
        if (!X25519.calculateAgreement(ephemeral, 0, peerPublic, 0, shared, 0)) {
            throw new HandshakeException("The peer's ephemeral key is of low order: refused");
        }
        return shared;
    }

    private static byte[] publicOf(byte[] ephemeral) {
        byte[] pub = new byte[X25519.POINT_SIZE];
        X25519.generatePublicKey(ephemeral, 0, pub, 0);
        return pub;
    }

    private static byte[] nonce(SecureRandom random) {
        byte[] n = new byte[NONCE];
        random.nextBytes(n);
        return n;
    }

    /** @return the session keys' HKDF-SHA256 (RFC 5869) output, info "MQTT Warden session v1" */
    static byte[] hkdf(byte[] ikm, byte[] salt, int length) {
        return Hkdf.sha256(ikm, salt, SESSION_INFO, length);
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
