/**
 * Readiness of the gateway: start-up work that runs off Karaf's start thread registers a
 * {@link org.mqttwarden.api.health.StartupStep} service, and {@code GET /health} answers 200 only
 * once every registered step is done.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mqttwarden.api.health;
