/** What warden-crypto's packages share and do not export: HKDF. */
package org.mqttwarden.crypto.internal;
