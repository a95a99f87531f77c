package org.mqttwarden.api.event;

/** What kind of security event happened. */
public enum EventType {
    /** A {@code /user} login check. */
    AUTH,
    /** A {@code /superuser} check. */
    SUPERUSER,
    /** An {@code /acl} check. */
    ACL,
    /** An admin changed accounts, roles or rules. */
    ADMIN_CHANGE,
    /** An account or source was locked or unlocked. */
    LOCKOUT,
    /** A one-time code was issued or used. */
    OTP,
    /** An attack pattern was detected. */
    ALERT,
    /** A protected payload was sealed, opened or rejected. */
    MESSAGE
}
