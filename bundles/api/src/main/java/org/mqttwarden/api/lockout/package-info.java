/**
 * What the lockout rules count and do, for observers in other bundles (warden-alerts): {@link
 * org.mqttwarden.api.lockout.LockoutListener} and {@link org.mqttwarden.api.lockout.LockoutEvent}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mqttwarden.api.lockout;
