/**
 * Replay protection for protected MQTT messages: the receiver's per-sender sequence window and timestamp window
 * ({@link org.mqttwarden.crypto.replay.ReplayGuard}) and the sender's persisted sequence numbers
 * ({@link org.mqttwarden.crypto.replay.SequenceCounter}).
 *
 * <p>Plain Java on purpose (no OSGi, DS or Karaf types): a device application uses these classes from a plain jar.
 * Values come in as plain numbers (sender id, sequence number, timestamp, the MQTT DUP flag), so this package does
 * not depend on how an envelope is encoded.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.mqttwarden.crypto.replay;
