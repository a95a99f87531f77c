/**
 * One-time codes for invitation, password recovery and unlock (warden-otp): {@link
 * org.mqttwarden.api.otp.OtpService}, what a code is for ({@link org.mqttwarden.api.otp.OtpPurpose}), and the
 * {@link org.mqttwarden.api.otp.OtpChannel} whiteboard through which codes reach people (e-mail is shipped).
 * E-mail is not an authentication factor (NIST SP 800-63B 5.1.3.1): no code ever logs anyone in.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.mqttwarden.api.otp;
