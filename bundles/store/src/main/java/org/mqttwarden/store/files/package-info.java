/**
 * Files only the gateway's OS user may read, for Warden's implementation bundles (not API: no promise
 * beyond Warden's own bundles, which move with it).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.mqttwarden.store.files;
