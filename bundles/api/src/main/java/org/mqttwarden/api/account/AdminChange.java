package org.mqttwarden.api.account;

/**
 * The reason codes of {@link org.mqttwarden.api.event.EventType#ADMIN_CHANGE} events, one per kind of change
 * {@link AccountService} makes. Other bundles act on them (lockout clears an account's state when its
 * password changes or it is created or removed), so they are API: match these constants, never literals.
 */
public final class AdminChange {

    public static final String ACCOUNT_CREATE = "account.create";
    /** An invited account was created, without a password ({@link AccountService#inviteAccount}). */
    public static final String ACCOUNT_INVITE = "account.invite";
    /** A TOTP second factor was enrolled for an account (warden-otp; detail never holds the secret). */
    public static final String ACCOUNT_TOTP_ENROLL = "account.totp-enroll";
    /** An account's TOTP second factor was removed. */
    public static final String ACCOUNT_TOTP_DISABLE = "account.totp-disable";
    public static final String ACCOUNT_PASSWORD = "account.password";
    /** An envelope key was made for a topic prefix (warden-crypto; detail: prefix; never key material). */
    public static final String KEY_CREATE = "key.create";
    /** A topic prefix got a new encrypting key; the old one decrypts until its grace period ends. */
    public static final String KEY_ROTATE = "key.rotate";
    /** An envelope key was written, wrapped under a passphrase, to a file for a device (detail: key id, file). */
    public static final String KEY_EXPORT = "key.export";
    /**
     * The managed Mosquitto was started from the shell (detail: configuration file, forced or not).
     * @since 1.4
     */
    public static final String BROKER_START = "broker.start";
    /** The managed Mosquitto was stopped from the shell. @since 1.4 */
    public static final String BROKER_STOP = "broker.stop";
    /**
     * warden:broker-init wrote a broker setup (detail: folder, files; never key material). @since 1.4
     */
    public static final String BROKER_INIT = "broker.init";
    /** A client certificate was issued for the broker (detail: name, files; never key material). @since 1.4 */
    public static final String BROKER_CLIENT_CERT = "broker.client-cert";
    public static final String ACCOUNT_ENABLE = "account.enable";
    public static final String ACCOUNT_DISABLE = "account.disable";
    public static final String ACCOUNT_REMOVE = "account.remove";
    public static final String ROLE_GRANT = "account.role-grant";
    public static final String ROLE_REVOKE = "account.role-revoke";
    public static final String ROLE_ADD = "role.add";
    public static final String ROLE_REMOVE = "role.remove";
    public static final String ACL_ADD = "acl.add";
    public static final String ACL_REMOVE = "acl.remove";

    private AdminChange() {
    }
}
