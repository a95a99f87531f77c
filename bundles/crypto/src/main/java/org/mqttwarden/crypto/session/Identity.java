package org.mqttwarden.crypto.session;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Objects;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A party's long-term Ed25519 identity (RFC 8032): its id (an MQTT client id or a gateway name, at most 255 UTF-8
 * bytes) and key pair. It only signs handshakes; it never encrypts, so stealing it later opens no past session.
 * {@link #toString()} never shows the private key.
 */
public final class Identity {

    private final String id;
    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;

    private Identity(String id, Ed25519PrivateKeyParameters privateKey) {
        this.id = requireId(id);
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
    }

    /** @return a new identity with a fresh key pair */
    public static Identity generate(String id, SecureRandom random) {
        return new Identity(id, new Ed25519PrivateKeyParameters(random));
    }

    /** @return the identity of a stored 32-byte Ed25519 private key */
    public static Identity of(String id, byte[] privateKey) {
        if (privateKey == null || privateKey.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("An Ed25519 private key has 32 bytes");
        }
        return new Identity(id, new Ed25519PrivateKeyParameters(privateKey, 0));
    }

    public String id() {
        return id;
    }

    /** @return the 32-byte public key, for the peers' {@link Peers} */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** @return the 32-byte private key, to store (never log it) */
    public byte[] privateKey() {
        return privateKey.getEncoded();
    }

    byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** @return whether {@code signature} is {@code publicKey}'s over {@code message} */
    static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    static String requireId(String id) {
        Objects.requireNonNull(id, "id");
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > 255) {
            throw new IllegalArgumentException("An identity's id has 1 to 255 UTF-8 bytes, has " + bytes);
        }
        return id;
    }

    @Override
    public String toString() {
        return "Identity[id=" + id + ", privateKey=***]";
    }
}
