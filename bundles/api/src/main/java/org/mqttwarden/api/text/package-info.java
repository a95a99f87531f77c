/** Text helpers every bundle shares: making values chosen by clients safe to print. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mqttwarden.api.text;
