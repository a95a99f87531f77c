package org.mqttwarden.crypto.envelope;

import java.util.Optional;

/**
 * Finds the key an envelope names by its key id. Called by {@link EnvelopeCodec#open} from any thread, possibly
 * concurrently, with a key id an attacker may have chosen: an implementation must not allocate, log or create
 * anything for an id it does not know.
 */
@FunctionalInterface
public interface KeyLookup {

    /** @return the key with this id, or empty when the receiver has none (the envelope is then UNKNOWN_KEY) */
    Optional<EnvelopeKey> find(String keyId);
}
