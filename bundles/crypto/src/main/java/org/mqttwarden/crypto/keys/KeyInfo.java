package org.mqttwarden.crypto.keys;

import java.time.Instant;
import java.util.Optional;

/**
 * What may be shown about a gateway key: never its material.
 *
 * @param retires when a decrypt-only key stops opening messages, when a retired one did; empty while encrypting
 */
public record KeyInfo(String keyId, String prefix, Instant created, KeyState state, Optional<Instant> retires) {
}
