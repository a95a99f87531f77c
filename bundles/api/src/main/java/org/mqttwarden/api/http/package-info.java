/**
 * What other bundles may rely on in warden-http's configuration: the go-auth backend's address, paths, response mode
 * and caller key, by property name (warden-broker writes go-auth's options from them).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mqttwarden.api.http;
