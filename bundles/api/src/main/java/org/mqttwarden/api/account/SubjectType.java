package org.mqttwarden.api.account;

/** Whom an ACL rule applies to. */
public enum SubjectType {
    /** Every account holding the named role. */
    ROLE,
    /** The one named account. */
    ACCOUNT
}
