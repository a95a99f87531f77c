package org.mqttwarden.otp;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.auth.SecondFactor;
import org.mqttwarden.api.store.KeyFiles;
import org.mqttwarden.api.store.WardenDatabase;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TOTP (RFC 6238) as the engine's {@link SecondFactor}: the accounts enrolled, their secrets sealed by
 * {@link SecretBox} under the key file {@code etc/warden-otp-totp.key} (outside the database, so a copy of
 * {@code warden.db} alone reveals no secret), and the last time step each one accepted, so that a code is taken
 * once (RFC 6238 §5.2) even by two gateways' threads racing: the step moves forward in one conditional
 * {@code UPDATE}, and only the login that moved it gets in.
 *
 * <p>{@link #required} answers from a set held in memory (the broker waits for it); {@link #verify} reads the
 * account's row, which only happens after the account's password was found right.
 */
@Component(service = {SecondFactor.class, TotpEnrollments.class})
public final class TotpEnrollments implements SecondFactor {

    /** The issuer authenticator apps show. */
    static final String ISSUER = "MQTT Warden";
    /** A step no code is older than: nothing accepted yet. */
    private static final long NONE_ACCEPTED = -1;

    private static final Logger LOG = LoggerFactory.getLogger(TotpEnrollments.class);

    private final Jdbi jdbi;
    private final SecretBox box;
    private final Clock clock;
    private final SecureRandom random;
    private final Set<String> enrolled = ConcurrentHashMap.newKeySet();

    @Activate
    public TotpEnrollments(@Reference WardenDatabase database, @Reference KeyFiles keys) {
        this(database, keys.key("otp-totp", 32), Clock.systemUTC(), new SecureRandom());
    }

    /** @throws IllegalStateException when the tables cannot be brought up to date */
    TotpEnrollments(WardenDatabase database, byte[] key, Clock clock, SecureRandom random) {
        database.migrate(OtpTables.OWNER, OtpTables.MIGRATIONS);
        this.jdbi = Jdbi.create(database.dataSource());
        this.box = new SecretBox(key, random);
        this.clock = clock;
        this.random = random;
        enrolled.addAll(jdbi.withHandle(h -> h.createQuery(OtpTables.TOTP_USERS).mapTo(String.class).list()));
        if (!enrolled.isEmpty()) {
            LOG.info("TOTP second step on for {} account(s)", enrolled.size());
        }
    }

    @Deactivate
    void close() {
        if (!enrolled.isEmpty()) {
            LOG.info("TOTP second step off while warden-otp is stopped: {} enrolled account(s) log in with their"
                    + " password alone until it is back", enrolled.size());
        }
    }

    @Override
    public boolean required(String username) {
        return username != null && enrolled.contains(username);
    }

    @Override
    public int codeLength() {
        return Totp.DIGITS;
    }

    @Override
    public boolean verify(String username, String code) {
        if (!required(username) || code == null || code.length() != Totp.DIGITS
                || !code.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        Optional<Row> row = jdbi.withHandle(h -> h.createQuery(OtpTables.TOTP_SELECT).bind("username", username)
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getLong(2))).findOne());
        if (row.isEmpty()) {
            return false;
        }
        byte[] secret;
        try {
            secret = box.open(username, row.get().sealed());
        } catch (IllegalArgumentException e) {
            LOG.error("TOTP login of {} refused: {}", username, e.getMessage());
            return false;
        }
        try {
            OptionalLong step = Totp.accept(secret, code, clock.instant(), row.get().lastStep());
            return step.isPresent() && jdbi.withHandle(h -> h.createUpdate(OtpTables.TOTP_ACCEPT)
                    .bind("username", username).bind("step", step.getAsLong()).execute()) == 1;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * Enrols {@code username} (again: a new secret replaces the old one, whose codes stop working at once).
     *
     * @return the {@code otpauth://} URI holding the new secret: show it once, never log it
     */
    String enroll(String username) {
        byte[] secret = Totp.newSecret(random);
        try {
            String sealed = box.seal(username, secret);
            jdbi.useHandle(h -> h.createUpdate(OtpTables.TOTP_UPSERT).bind("username", username)
                    .bind("secret", sealed).bind("lastStep", NONE_ACCEPTED)
                    .bind("at", clock.instant().toEpochMilli()).execute());
            enrolled.add(username);
            return Totp.uri(ISSUER, username, secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Stops asking {@code username} for a code at once, before {@link #disable} deletes its row. */
    void stopRequiring(String username) {
        enrolled.remove(username);
    }

    /** @return whether {@code username} was enrolled; it is not any more */
    boolean disable(String username) {
        enrolled.remove(username);
        return jdbi.withHandle(h -> h.createUpdate(OtpTables.TOTP_DELETE).bind("username", username).execute()) > 0;
    }

    /** @return the enrolled accounts, sorted */
    public List<String> enrolled() {
        return enrolled.stream().sorted().toList();
    }

    private record Row(String sealed, long lastStep) {
    }
}
