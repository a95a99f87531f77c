/**
 * Forward-secret session keys: an X25519 key agreement between fresh ephemeral keys, each side's ephemeral key
 * signed with its long-term Ed25519 identity key (so no one in the middle can substitute one), HKDF-SHA256 over the
 * shared secret and the transcript. The ephemeral private keys are erased once the keys are derived, so a long-term
 * key stolen later reveals no past session. The messages travel over MQTT 5 request/response (issue 14).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package org.mqttwarden.crypto.session;
