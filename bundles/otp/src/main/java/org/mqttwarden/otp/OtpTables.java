package org.mqttwarden.otp;

import java.util.List;

import org.mqttwarden.api.store.WardenDatabase.Migration;

/**
 * The SQL of the one-time code tables in {@code warden.db} (owner {@value #OWNER}), written to run on SQLite and
 * PostgreSQL alike. Times are epoch milliseconds.
 *
 * <ul>
 * <li>{@code warden_otp_code}: the live code of an account and purpose, at most one: its keyed hash (never the
 * code), when it was issued and expires, and the wrong tries it still survives.</li>
 * <li>{@code warden_otp_sent}: when codes were sent in the last hour, for the cooldown and the hourly cap.</li>
 * <li>{@code warden_otp_totp}: the TOTP secret of each enrolled account, sealed by {@link SecretBox} under a key
 * kept outside the database, and the last time step accepted (a code is used once).</li>
 * </ul>
 */
final class OtpTables {

    static final String OWNER = "otp";

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "one-time codes and their sends", List.of(
            "CREATE TABLE warden_otp_code (username VARCHAR(512) NOT NULL, purpose VARCHAR(16) NOT NULL,"
                    + " code_hash VARCHAR(64) NOT NULL, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
                    + " attempts_left INTEGER NOT NULL, PRIMARY KEY (username, purpose))",
            "CREATE TABLE warden_otp_sent (username VARCHAR(512) NOT NULL, purpose VARCHAR(16) NOT NULL,"
                    + " sent_at BIGINT NOT NULL)",
            "CREATE INDEX warden_otp_sent_by_account ON warden_otp_sent (username, purpose, sent_at)")),
            new Migration(2, "TOTP enrolments", List.of(
                    "CREATE TABLE warden_otp_totp (username VARCHAR(512) NOT NULL PRIMARY KEY,"
                            + " secret VARCHAR(256) NOT NULL, last_step BIGINT NOT NULL, enrolled_at BIGINT NOT NULL)")));

    static final String TOTP_USERS = "SELECT username FROM warden_otp_totp";
    static final String TOTP_SELECT = "SELECT secret, last_step FROM warden_otp_totp WHERE username = :username";
    static final String TOTP_UPSERT = "INSERT INTO warden_otp_totp (username, secret, last_step, enrolled_at)"
            + " VALUES (:username, :secret, :lastStep, :at) ON CONFLICT (username) DO UPDATE SET"
            + " secret = excluded.secret, last_step = excluded.last_step, enrolled_at = excluded.enrolled_at";
    /** Moves the last accepted step forward; changes no row when another login took this step (or a later) first. */
    static final String TOTP_ACCEPT = "UPDATE warden_otp_totp SET last_step = :step"
            + " WHERE username = :username AND last_step < :step";
    static final String TOTP_DELETE = "DELETE FROM warden_otp_totp WHERE username = :username";

    static final String SENT_SINCE = "SELECT sent_at FROM warden_otp_sent"
            + " WHERE username = :username AND purpose = :purpose AND sent_at > :since ORDER BY sent_at";
    static final String FORGET_SENT = "DELETE FROM warden_otp_sent"
            + " WHERE username = :username AND purpose = :purpose AND sent_at <= :before";
    static final String INSERT_SENT = "INSERT INTO warden_otp_sent (username, purpose, sent_at)"
            + " VALUES (:username, :purpose, :sentAt)";
    static final String UPSERT_CODE = "INSERT INTO warden_otp_code (username, purpose, code_hash, issued_at,"
            + " expires_at, attempts_left) VALUES (:username, :purpose, :hash, :issuedAt, :expiresAt, :attempts)"
            + " ON CONFLICT (username, purpose) DO UPDATE SET code_hash = excluded.code_hash,"
            + " issued_at = excluded.issued_at, expires_at = excluded.expires_at,"
            + " attempts_left = excluded.attempts_left";
    static final String SELECT_CODE = "SELECT code_hash, issued_at, expires_at, attempts_left FROM warden_otp_code"
            + " WHERE username = :username AND purpose = :purpose";
    static final String SELECT_CODES = "SELECT username, purpose, issued_at, expires_at, attempts_left"
            + " FROM warden_otp_code WHERE username = :username ORDER BY purpose";
    static final String SELECT_ALL_CODES = "SELECT username, purpose, issued_at, expires_at, attempts_left"
            + " FROM warden_otp_code ORDER BY username, purpose";
    /** Deletes the row of one issue only: a code issued meanwhile is not touched. */
    static final String DELETE_CODE = "DELETE FROM warden_otp_code"
            + " WHERE username = :username AND purpose = :purpose AND issued_at = :issuedAt";
    /** Takes one try off the row of one issue, when it has one left. */
    static final String SPEND_ATTEMPT = "UPDATE warden_otp_code SET attempts_left = attempts_left - 1"
            + " WHERE username = :username AND purpose = :purpose AND issued_at = :issuedAt AND attempts_left > 0";

    private OtpTables() {
    }
}
