package org.mqttwarden.broker.lint;

/** How much a finding matters; the order is from worst to mildest. */
public enum Severity {
    /** An attacker gains something now (access, credentials), or Mosquitto refuses the configuration. */
    CRITICAL,
    /** Weaker than it should be, or it breaks under conditions that will come (an upgrade, a lockout). */
    WARNING,
    /** Worth knowing; nothing to fix for security. */
    INFO
}
