package org.mqttwarden.otp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.api.store.WardenDatabase;

/**
 * The e-mailed one-time codes of accounts, kept in {@code warden.db} so that a restart changes nothing: at most
 * one live code per account and purpose; a new one kills the older; a code is accepted once, within its lifetime,
 * and dies after {@link CodePolicy#maxAttempts()} wrong tries; a new code for the same account and purpose waits
 * {@link CodePolicy#cooldown()} and at most {@link CodePolicy#maxPerHour()} are sent an hour.
 *
 * <p>Whether the account exists is not this class's business: callers ask only for accounts that may receive a
 * code, and answer every request the same way. Concurrent confirmations of one code accept it once: the row of
 * an issue is deleted or spent by statements that name that issue, and only the one that changes it wins.
 */
final class OtpCodes {

    /** What became of a request for a new code. */
    sealed interface Issue {
        /** A code to deliver, and when it expires. Deliver it; never log it. */
        record Issued(String code, Instant expiresAt) implements Issue {
            @Override
            public String toString() {
                return "Issued[code=(hidden), expiresAt=" + expiresAt + "]";
            }
        }

        /** Too soon or too many: {@code reason} as {@link OtpCodes#COOLDOWN} or {@link OtpCodes#HOURLY_CAP}. */
        record Refused(String reason, Instant retryAt) implements Issue {
        }
    }

    /** What became of a code given back. */
    enum Check {
        /** The code was right and is now used up. */
        ACCEPTED,
        /** Wrong; the code survives for the tries left. */
        WRONG,
        /** Wrong, and that was its last try: the code is dead. */
        EXHAUSTED,
        /** The code had expired (and is gone). */
        EXPIRED,
        /** There is no live code for this account and purpose (never issued, used, or killed). */
        NONE
    }

    /** A live code as an admin may see it: never the code. */
    record Pending(String username, OtpPurpose purpose, Instant issuedAt, Instant expiresAt, int attemptsLeft) {
    }

    /** Reason of a refused issue: the last code was sent less than the cooldown ago. */
    static final String COOLDOWN = "otp.cooldown";
    /** Reason of a refused issue: the hourly number of codes was sent. */
    static final String HOURLY_CAP = "otp.hourly-cap";

    private static final Duration HOUR = Duration.ofHours(1);

    private final Jdbi jdbi;
    private final CodeHasher hasher;
    private final Clock clock;
    private volatile CodePolicy policy;

    /**
     * @throws IllegalArgumentException when the policy is invalid (its problems in the message)
     * @throws IllegalStateException when the tables cannot be brought up to date
     */
    OtpCodes(WardenDatabase database, CodeHasher hasher, CodePolicy policy, Clock clock) {
        database.migrate(OtpTables.OWNER, OtpTables.MIGRATIONS);
        this.jdbi = Jdbi.create(database.dataSource());
        this.hasher = hasher;
        this.clock = clock;
        policy(policy);
    }

    /** Applies new limits to what is issued and checked from now on. @throws IllegalArgumentException if invalid */
    void policy(CodePolicy newPolicy) {
        List<String> problems = newPolicy.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.policy = newPolicy;
    }

    CodePolicy policy() {
        return policy;
    }

    /** Issues a new code for {@code username} and {@code purpose}, killing the older one, unless too soon. */
    Issue issue(String username, OtpPurpose purpose) {
        CodePolicy p = policy;
        Instant now = clock.instant();
        long nowMs = now.toEpochMilli();
        return jdbi.inTransaction(h -> {
            List<Long> sent = h.createQuery(OtpTables.SENT_SINCE).bind("username", username)
                    .bind("purpose", purpose.id()).bind("since", nowMs - HOUR.toMillis()).mapTo(Long.class).list();
            if (!sent.isEmpty()) {
                Instant last = Instant.ofEpochMilli(sent.get(sent.size() - 1));
                if (now.isBefore(last.plus(p.cooldown()))) {
                    return new Issue.Refused(COOLDOWN, last.plus(p.cooldown()));
                }
                if (sent.size() >= p.maxPerHour()) {
                    return new Issue.Refused(HOURLY_CAP,
                            Instant.ofEpochMilli(sent.get(sent.size() - p.maxPerHour())).plus(HOUR));
                }
            }
            h.createUpdate(OtpTables.FORGET_SENT).bind("username", username).bind("purpose", purpose.id())
                    .bind("before", nowMs - HOUR.toMillis()).execute();
            String code = hasher.newCode(p.length());
            Instant expires = now.plus(p.ttl());
            h.createUpdate(OtpTables.UPSERT_CODE).bind("username", username).bind("purpose", purpose.id())
                    .bind("hash", hasher.hash(purpose, username, code)).bind("issuedAt", nowMs)
                    .bind("expiresAt", expires.toEpochMilli()).bind("attempts", p.maxAttempts()).execute();
            h.createUpdate(OtpTables.INSERT_SENT).bind("username", username).bind("purpose", purpose.id())
                    .bind("sentAt", nowMs).execute();
            return new Issue.Issued(code, expires);
        });
    }

    /** Checks a code given back; a right one is used up by this call, a wrong one costs a try. */
    Check confirm(String username, OtpPurpose purpose, String code) {
        long now = clock.millis();
        record Row(String hash, long issuedAt, long expiresAt, int attemptsLeft) {
        }
        Row row = jdbi.withHandle(h -> h.createQuery(OtpTables.SELECT_CODE).bind("username", username)
                .bind("purpose", purpose.id()).map((rs, ctx) -> new Row(rs.getString(1), rs.getLong(2),
                        rs.getLong(3), rs.getInt(4))).findOne().orElse(null));
        if (row == null || row.attemptsLeft() <= 0) {
            return Check.NONE;
        }
        if (now >= row.expiresAt()) {
            delete(username, purpose, row.issuedAt());
            return Check.EXPIRED;
        }
        if (code != null && hasher.matches(row.hash(), purpose, username, code)) {
            // only the one call that deletes this issue's row accepts it
            return delete(username, purpose, row.issuedAt()) ? Check.ACCEPTED : Check.NONE;
        }
        boolean spent = jdbi.withHandle(h -> h.createUpdate(OtpTables.SPEND_ATTEMPT).bind("username", username)
                .bind("purpose", purpose.id()).bind("issuedAt", row.issuedAt()).execute()) == 1;
        if (!spent) {
            return Check.NONE;
        }
        if (row.attemptsLeft() == 1) {
            delete(username, purpose, row.issuedAt());
            return Check.EXHAUSTED;
        }
        return Check.WRONG;
    }

    /** @return the live codes of {@code username} (of every account when null), without the codes */
    List<Pending> pending(String username) {
        long now = clock.millis();
        return jdbi.withHandle(h -> (username == null ? h.createQuery(OtpTables.SELECT_ALL_CODES)
                : h.createQuery(OtpTables.SELECT_CODES).bind("username", username))
                .map((rs, ctx) -> new Pending(rs.getString(1), OtpPurpose.of(rs.getString(2)),
                        Instant.ofEpochMilli(rs.getLong(3)), Instant.ofEpochMilli(rs.getLong(4)), rs.getInt(5)))
                .list())
                .stream().filter(c -> c.expiresAt().toEpochMilli() > now && c.attemptsLeft() > 0).toList();
    }

    private boolean delete(String username, OtpPurpose purpose, long issuedAt) {
        return jdbi.withHandle(h -> h.createUpdate(OtpTables.DELETE_CODE).bind("username", username)
                .bind("purpose", purpose.id()).bind("issuedAt", issuedAt).execute()) == 1;
    }
}
