package org.mqttwarden.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.mqttwarden.api.store.StoredAccount;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Remembers successful bcrypt verifications for a short time, so a reconnect storm after a broker
 * restart does not cost one bcrypt per device.
 *
 * <p>Entries are keyed by HMAC-SHA256(username, password) under a random key made for this process
 * and never stored; the password itself is never kept. An entry only counts while the account is
 * exactly as it was when the password was verified: same hash, same last-change time, enabled. Any
 * change to the account (password, roles, enable/disable) therefore drops it. At most {@code maxEntries}
 * are kept (Caffeine's size bound: the least useful go first) and each for the TTL after it was made,
 * measured on the given clock.
 */
final class VerifiedCredentials {

    private record Entry(String passwordHash, long accountUpdated, long expiresAtMillis) {
    }

    private final byte[] key = new byte[32];
    private final ThreadLocal<Mac> macs;
    private final Cache<ByteBuffer, Entry> entries;
    private final long ttlMillis;
    private final Clock clock;

    VerifiedCredentials(long ttlMillis, int maxEntries, SecureRandom random, Clock clock) {
        random.nextBytes(key);
        this.ttlMillis = ttlMillis;
        this.clock = clock;
        this.macs = ThreadLocal.withInitial(this::newMac);
        this.entries = Caffeine.newBuilder().maximumSize(Math.max(0, maxEntries))
                .expireAfterWrite(Math.max(0, ttlMillis), TimeUnit.MILLISECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).executor(Runnable::run).build();
    }

    /** @return whether this password was verified for this account, unchanged since, within the TTL */
    boolean isRemembered(StoredAccount account, String password) {
        if (ttlMillis <= 0) {
            return false;
        }
        ByteBuffer k = keyOf(account.username(), password);
        Entry e = entries.getIfPresent(k);
        if (e == null) {
            return false;
        }
        if (e.expiresAtMillis <= clock.millis() || !e.passwordHash.equals(account.passwordHash())
                || e.accountUpdated != account.updated().toEpochMilli() || !account.enabled()) {
            entries.asMap().remove(k, e);
            return false;
        }
        return true;
    }

    void remember(StoredAccount account, String password) {
        if (ttlMillis <= 0) {
            return;
        }
        long now = clock.millis();
        entries.put(keyOf(account.username(), password),
                new Entry(account.passwordHash(), account.updated().toEpochMilli(), now + ttlMillis));
    }

    private ByteBuffer keyOf(String username, String password) {
        Mac mac = macs.get();
        byte[] u = username.getBytes(StandardCharsets.UTF_8);
        mac.update(ByteBuffer.allocate(4).putInt(u.length).array());
        mac.update(u);
        mac.update(password.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(mac.doFinal());
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
