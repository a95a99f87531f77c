package org.mqttwarden.api.event;

/** How a security event ended. */
public enum Outcome {
    ALLOW,
    DENY,
    ERROR
}
