/**
 * The versioned binary envelope that carries one protected MQTT payload ({@code ENVELOPE.md} in this bundle is its
 * specification): {@link org.mqttwarden.crypto.envelope.EnvelopeCodec} seals and opens it. Plain Java and Bouncy
 * Castle only, so a device application uses it without OSGi.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.mqttwarden.crypto.envelope;
