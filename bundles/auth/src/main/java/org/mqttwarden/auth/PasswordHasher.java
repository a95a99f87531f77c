package org.mqttwarden.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.mindrot.jbcrypt.BCrypt;
import org.slf4j.LoggerFactory;

/**
 * bcrypt hashing in which every character of the password counts.
 *
 * <p>bcrypt reads at most 72 bytes of its input. Warden therefore hashes
 * {@code base64(HMAC-SHA256("mqtt-warden/bcrypt-prehash/v1", password))} (44 ASCII characters)
 * with bcrypt and stores it as {@code bcrypt-sha256$2a$<cost>$...}. The HMAC under a fixed
 * domain key keeps a leaked plain SHA-256 of the same password elsewhere from being usable as the
 * bcrypt input. Plain bcrypt hashes ({@code $2a$}, {@code $2b$}, {@code $2y$}, e.g. imported from
 * a go-auth or Mosquitto setup) still verify, but only for passwords of at most 72 bytes (a longer
 * one would be checked on its first 72 bytes alone, so it is refused), and {@link #needsRehash}
 * asks for them to be replaced.
 *
 * <p>A secret of the generated form ({@link DeviceSecrets}: 192 random bits) is stored under a fast
 * salted HMAC instead: bcrypt's cost protects memorised secrets and adds nothing to a random one.
 */
public final class PasswordHasher {

    public static final int MIN_COST = 10;
    public static final int MAX_COST = 16;
    static final String PREFIX = "bcrypt-sha256";
    /**
     * The stored "hash" of an invited account that has not set its password yet: not a hash of anything, so no
     * password verifies against it (as {@code !} in {@code /etc/shadow}). Never produced by {@link #hash}.
     */
    static final String NO_PASSWORD = "!invited";
    private static final byte[] PREHASH_KEY = "mqtt-warden/bcrypt-prehash/v1".getBytes(StandardCharsets.US_ASCII);
    private static final int BCRYPT_MAX_BYTES = 72;

    private final int cost;
    private final SecureRandom random;
    /** Dummy bcrypt hashes by cost, for {@link #padFailedCheck}; guarded by this. */
    private final String[] dummies = new String[32];

    /** @param cost bcrypt's log2 work factor, {@value #MIN_COST} to {@value #MAX_COST} */
    public PasswordHasher(int cost, SecureRandom random) {
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new IllegalArgumentException("bcrypt cost must be between " + MIN_COST + " and " + MAX_COST
                    + ", not " + cost + ".");
        }
        this.cost = cost;
        this.random = random;
    }

    /**
     * @return a hasher at the configured cost brought into 10..16, with a warning when it had to be:
     *     a configuration mistake must neither stop logins nor weaken hashes below the floor
     */
    public static PasswordHasher configured(int cost, SecureRandom random) {
        int bounded = Math.max(MIN_COST, Math.min(MAX_COST, cost));
        if (bounded != cost) {
            LoggerFactory.getLogger(PasswordHasher.class).warn("bcrypt.cost {} is outside {}..{}; using {}", cost,
                    MIN_COST, MAX_COST, bounded);
        }
        return new PasswordHasher(bounded, random);
    }

    public int cost() {
        return cost;
    }

    /**
     * @return a new salted hash of the password: bcrypt at the configured cost, or the fast hash when
     *     the password is a generated secret
     */
    public String hash(String password) {
        if (DeviceSecrets.isGenerated(password)) {
            return DeviceSecrets.hash(password, random);
        }
        return PREFIX + BCrypt.hashpw(prehash(password), BCrypt.gensalt(cost, random));
    }

    /**
     * @return whether the password matches the stored hash; {@code false} for a malformed hash
     */
    public boolean verify(String password, String stored) {
        try {
            if (DeviceSecrets.isHash(stored)) {
                return DeviceSecrets.verify(password, stored);
            }
            if (stored.startsWith(PREFIX + "$")) {
                return BCrypt.checkpw(prehash(password), stored.substring(PREFIX.length()));
            }
            if (isPlainBcrypt(stored)) {
                if (password.getBytes(StandardCharsets.UTF_8).length > BCRYPT_MAX_BYTES) {
                    return false;
                }
                return BCrypt.checkpw(password, "$2a$" + stored.substring(4));
            }
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            return false;
        }
        return false;
    }

    /**
     * @return whether the stored hash is of an older format or another cost than configured (never for
     *     the fast hash of a generated secret): after the next successful login every bcrypt hash has the
     *     configured cost, so a failed check costs the same for every account
     */
    public boolean needsRehash(String stored) {
        if (DeviceSecrets.isHash(stored)) {
            return false;
        }
        if (!stored.startsWith(PREFIX + "$")) {
            return true;
        }
        return costOf(stored.substring(PREFIX.length())) != cost;
    }

    /**
     * After a failed check against {@code stored}, spends what a check at the configured cost would have
     * cost beyond it: bcrypt's work doubles with each cost step, so a hash of cost {@code c} below the
     * configured one is padded with {@code 2^(cost-c) - 1} checks at cost {@code c}. A wrong password for an
     * account with an older, cheaper hash (an import, a lowered-then-raised {@code bcrypt.cost}) then takes as
     * long as one for an unknown username, whose dummy check runs at the configured cost. A hash above the
     * configured cost cannot be made cheaper; it is rehashed at the next successful login.
     *
     * @return the number of padding checks spent
     */
    int padFailedCheck(String stored) {
        if (DeviceSecrets.isHash(stored)) {
            return 0;
        }
        String bcrypt = stored.startsWith(PREFIX + "$") ? stored.substring(PREFIX.length()) : stored;
        if (!bcrypt.startsWith("$2")) {
            return 0;
        }
        int c = costOf(bcrypt);
        if (c < 4 || c >= cost) {
            return 0;
        }
        String dummy = dummyAt(c);
        int n = (1 << (cost - c)) - 1;
        for (int i = 0; i < n; i++) {
            BCrypt.checkpw("padding", dummy);
        }
        return n;
    }

    private synchronized String dummyAt(int c) {
        if (dummies[c] == null) {
            dummies[c] = BCrypt.hashpw("padding", BCrypt.gensalt(c, random));
        }
        return dummies[c];
    }

    static int costOf(String bcrypt) {
        try {
            return Integer.parseInt(bcrypt.substring(4, 6));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static boolean isPlainBcrypt(String stored) {
        return stored.length() == 60 && (stored.startsWith("$2a$") || stored.startsWith("$2b$")
                || stored.startsWith("$2y$"));
    }

    private static String prehash(String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(PREHASH_KEY, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
