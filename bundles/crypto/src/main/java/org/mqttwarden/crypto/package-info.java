/**
 * MQTT payload protection, usable inside OSGi and as a plain jar by device applications.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.mqttwarden.crypto;
