package org.mqttwarden.crypto.session;

import java.util.Optional;

/** The Ed25519 public keys of the parties a handshake may be with, pinned by id (provisioned, not learnt). */
@FunctionalInterface
public interface Peers {

    /** @return the 32-byte public key of {@code id}, or empty when it is not a known peer */
    Optional<byte[]> publicKey(String id);
}
