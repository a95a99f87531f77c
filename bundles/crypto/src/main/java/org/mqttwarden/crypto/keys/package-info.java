/**
 * Envelope keys. On the gateway ({@link org.mqttwarden.crypto.keys.GatewayKeyStore}, a DS component): keys in
 * {@code warden.db} sealed under a key file, selected by topic prefix, rotated with a grace period, exported for
 * devices. On a device: {@link org.mqttwarden.crypto.keys.KeyExport#unwrap} reads an export with plain Java and
 * Bouncy Castle; {@code KeyExport}, {@code ProvisionedKey} and {@code Utf8} load no OSGi, Jdbi or warden-api
 * class. Not exported to other bundles.
 */
package org.mqttwarden.crypto.keys;
