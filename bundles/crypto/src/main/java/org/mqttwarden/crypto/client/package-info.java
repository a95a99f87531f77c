/**
 * A secure MQTT v5 client on Eclipse Paho ({@link org.mqttwarden.crypto.client.SecureMqttClient}) that seals what
 * it publishes into envelopes and hands a subscriber only verified, fresh plaintext with its
 * {@link org.mqttwarden.crypto.MessageState}; the pre-shared key file format ({@link
 * org.mqttwarden.crypto.client.PreSharedKey}) and the {@code warden-mqtt} command line
 * ({@link org.mqttwarden.crypto.client.WardenMqtt}). Plain Java, Bouncy Castle and Paho: no OSGi needed.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package org.mqttwarden.crypto.client;
