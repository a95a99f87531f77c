package org.mqttwarden.crypto.keys;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.KeyFiles;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.KeyLookup;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's envelope keys: kept in {@code warden.db} sealed by {@link KeyBox} under the key file
 * {@code etc/warden-crypto-keys.key}, one encrypting key per topic prefix (the longest prefix covering a topic
 * wins), rotation with a grace period during which replaced keys still open messages, and export of one key
 * wrapped for a device ({@link KeyExport}).
 *
 * <p>As the {@link KeyLookup} of {@code EnvelopeCodec.open} it answers from memory without touching the database,
 * allocating or logging for an id it does not know; a key past its retirement time is not found (UNKNOWN_KEY).
 * Keys are read when the component starts and after each change made through it; {@link #reload} picks up changes
 * another gateway made to a shared database. Each reading first erases the sealed material of every key past its
 * retirement time (its row stays, listed as retired), so a key file stolen later opens no retired key; a grace
 * period extended afterwards does not bring an erased key back. Writes are serialised; reads are lock-free.
 */
@Component(service = {GatewayKeyStore.class, KeyLookup.class}, configurationPid = "org.mqttwarden.crypto")
@Designate(ocd = CryptoConfig.class)
public final class GatewayKeyStore implements KeyLookup {

    /** The KeyFiles name of the key that seals the stored keys. */
    static final String SEALING_KEY = "crypto-keys";
    static final int MAX_GRACE_DAYS = 3650;
    private static final int KEY_ID_BYTES = 8;
    private static final long ENCRYPTING = Long.MAX_VALUE;
    private static final Logger LOG = LoggerFactory.getLogger(GatewayKeyStore.class);

    private final Jdbi jdbi;
    private final KeyBox box;
    private final Clock clock;
    private final SecureRandom random;
    private volatile long graceMillis;
    /** Every key that opened, by id; replaced whole after a change. */
    private volatile Map<String, Loaded> byId = Map.of();
    /** The encrypting keys, longest prefix first. */
    private volatile List<Loaded> encrypting = List.of();

    @Activate
    public GatewayKeyStore(@Reference WardenDatabase database, @Reference KeyFiles keys, CryptoConfig config) {
        this(database, keys, config, Clock.systemUTC());
    }

    /** As DS makes it, with a clock of the caller's (tests). */
    public GatewayKeyStore(WardenDatabase database, KeyFiles keys, CryptoConfig config, Clock clock) {
        this(database, sealingKey(keys), config, clock, new SecureRandom());
    }

    GatewayKeyStore(WardenDatabase database, byte[] sealingKey, CryptoConfig config, Clock clock,
            SecureRandom random) {
        this.graceMillis = grace(config);
        database.migrate(KeyTables.OWNER, KeyTables.MIGRATIONS);
        this.jdbi = Jdbi.create(database.dataSource());
        this.box = new KeyBox(sealingKey, random);
        Arrays.fill(sealingKey, (byte) 0);
        this.clock = clock;
        this.random = random;
        reload();
        if (!byId.isEmpty()) {
            LOG.info("{} envelope key(s) loaded, {} encrypting", byId.size(), encrypting.size());
        }
    }

    private static byte[] sealingKey(KeyFiles keys) {
        return keys.key(SEALING_KEY, 32);
    }

    /**
     * A new grace period applies at once, also to keys rotated before (not to erased ones). An invalid one is
     * refused and the one in force kept.
     */
    @Modified
    void modified(CryptoConfig config) {
        graceMillis = grace(config);
    }

    private static long grace(CryptoConfig config) {
        int days = config.key_grace_days();
        if (days < 0 || days > MAX_GRACE_DAYS) {
            throw new IllegalArgumentException("key.grace.days must be 0 to " + MAX_GRACE_DAYS + ", not " + days);
        }
        return Duration.ofDays(days).toMillis();
    }

    @Override
    public Optional<EnvelopeKey> find(String keyId) {
        Loaded k = keyId == null ? null : byId.get(keyId);
        if (k == null || retired(k, clock.millis())) {
            return Optional.empty();
        }
        return k.found();
    }

    /** @return the key that seals messages on {@code topic}: that of the longest prefix covering it; empty if none */
    public Optional<EncryptionKey> encryptionKey(String topic) {
        if (topic == null) {
            return Optional.empty();
        }
        for (Loaded k : encrypting) {
            if (TopicPrefix.covers(k.prefix(), topic)) {
                return Optional.of(new EncryptionKey(k.keyId(), k.prefix(), k.key()));
            }
        }
        return Optional.empty();
    }

    /**
     * Makes the first key of {@code prefix}.
     *
     * @return its id
     * @throws IllegalArgumentException when the prefix is invalid or has a key already (rotate it instead)
     */
    public synchronized String create(String prefix) {
        String invalid = TopicPrefix.invalid(prefix);
        if (invalid != null) {
            throw new IllegalArgumentException(invalid);
        }
        String id = jdbi.inTransaction(h -> {
            if (encryptingKeys(h, prefix) > 0) {
                throw new IllegalArgumentException("The prefix '" + prefix + "' has a key already: warden:key-rotate"
                        + " replaces it");
            }
            return insertNew(h, prefix);
        });
        reload();
        LOG.info("Envelope key {} created for prefix '{}'", id, prefix);
        return id;
    }

    /**
     * Makes a new key the one that encrypts on {@code prefix}; the one it replaces still opens messages until
     * now + the grace period.
     *
     * @return the new key's id
     * @throws IllegalArgumentException when the prefix has no key yet (create one)
     */
    public synchronized String rotate(String prefix) {
        String id = jdbi.inTransaction(h -> {
            long now = clock.millis();
            int replaced = h.createUpdate(KeyTables.SUPERSEDE).bind("prefix", prefix).bind("at", now).execute();
            if (replaced == 0) {
                throw new IllegalArgumentException("The prefix '" + Printable.escape(prefix) + "' has no key to rotate:"
                        + " warden:key-create makes its first");
            }
            return insertNew(h, prefix);
        });
        reload();
        LOG.info("Envelope key {} now encrypts for prefix '{}'; the key it replaced opens messages for {} more days",
                id, prefix, Duration.ofMillis(graceMillis).toDays());
        return id;
    }

    /** @return every key, by prefix then age; never key material */
    public List<KeyInfo> list() {
        long now = clock.millis();
        return jdbi.withHandle(h -> h.createQuery(KeyTables.SELECT_ALL).map((rs, ctx) -> row(rs)).list()).stream()
                .map(r -> info(r, now)).toList();
    }

    /**
     * @param passphrase at least {@value KeyExport#MIN_PASSPHRASE_CHARS} characters, known to the device's
     *     installer only; not kept
     * @return the key wrapped for a device ({@link KeyExport}'s format)
     * @throws IllegalArgumentException when there is no such key, it is retired, or does not open (altered row)
     */
    public byte[] export(String keyId, char[] passphrase) {
        Row r = jdbi.withHandle(h -> h.createQuery(KeyTables.SELECT_ONE).bind("keyId", keyId)
                .map((rs, ctx) -> row(rs)).findOne()).orElseThrow(() -> new IllegalArgumentException(
                        "There is no key " + Printable.escape(keyId) + " (warden:key-list shows them)"));
        if (info(r, clock.millis()).state() == KeyState.RETIRED) {
            throw new IllegalArgumentException("The key " + keyId + " is retired: envelopes naming it are refused, so"
                    + " it is not exported");
        }
        byte[] secret = box.open(r.keyId(), r.prefix(), r.sealed()).orElseThrow(() -> new IllegalArgumentException(
                "The stored key " + keyId + " does not open: its row was altered or sealed under another key file"));
        try {
            return KeyExport.wrap(r.keyId(), r.prefix(), secret, passphrase, random);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Reads the keys again from the database (after another gateway changed a shared one). */
    public synchronized void reload() {
        int erased = jdbi.withHandle(h -> h.createUpdate(KeyTables.ERASE_RETIRED).bind("erased", KeyTables.ERASED)
                .bind("cutoff", clock.millis() - graceMillis).execute());
        if (erased > 0) {
            LOG.info("{} retired envelope key(s) erased", erased);
        }
        Map<String, Loaded> all = new HashMap<>();
        List<Loaded> enc = new ArrayList<>();
        for (Row r : jdbi.withHandle(h -> h.createQuery(KeyTables.SELECT_ALL).map((rs, ctx) -> row(rs)).list())) {
            if (r.erased()) {
                continue;
            }
            Optional<byte[]> secret = box.open(r.keyId(), r.prefix(), r.sealed());
            if (secret.isEmpty()) {
                LOG.error("Envelope key {} does not open (its row was altered, moved, or sealed under another key"
                        + " file): envelopes naming it are UNKNOWN_KEY", r.keyId());
                continue;
            }
            EnvelopeKey key = EnvelopeKey.of(secret.get());
            Arrays.fill(secret.get(), (byte) 0);
            long superseded = r.supersededAt() == null ? ENCRYPTING : r.supersededAt();
            Loaded k = new Loaded(r.keyId(), r.prefix(), key, superseded, Optional.of(key));
            all.put(k.keyId(), k);
            if (superseded == ENCRYPTING) {
                enc.add(k);
            }
        }
        enc.sort(Comparator.comparingInt((Loaded k) -> k.prefix().length()).reversed());
        byId = Map.copyOf(all);
        encrypting = List.copyOf(enc);
    }

    private String insertNew(Handle h, String prefix) {
        byte[] secret = new byte[EnvelopeKey.LENGTH];
        random.nextBytes(secret);
        try {
            String id;
            do {
                byte[] raw = new byte[KEY_ID_BYTES];
                random.nextBytes(raw);
                id = HexFormat.of().formatHex(raw);
            } while (h.createQuery(KeyTables.COUNT_ID).bind("keyId", id).mapTo(Integer.class).one() > 0);
            h.createUpdate(KeyTables.INSERT).bind("keyId", id).bind("prefix", prefix)
                    .bind("sealed", box.seal(id, prefix, secret)).bind("at", clock.millis()).execute();
            return id;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static int encryptingKeys(Handle h, String prefix) {
        return h.createQuery(KeyTables.COUNT_ENCRYPTING).bind("prefix", prefix).mapTo(Integer.class).one();
    }

    private boolean retired(Loaded k, long now) {
        return k.supersededAt() != ENCRYPTING && now >= k.supersededAt() + graceMillis;
    }

    private KeyInfo info(Row r, long now) {
        if (r.supersededAt() == null) {
            return new KeyInfo(r.keyId(), r.prefix(), Instant.ofEpochMilli(r.createdAt()), KeyState.ENCRYPTING,
                    Optional.empty());
        }
        long retires = r.supersededAt() + graceMillis;
        return new KeyInfo(r.keyId(), r.prefix(), Instant.ofEpochMilli(r.createdAt()),
                now >= retires || r.erased() ? KeyState.RETIRED : KeyState.DECRYPT_ONLY,
                Optional.of(Instant.ofEpochMilli(retires)));
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        long superseded = rs.getLong(5);
        Long supersededAt = rs.wasNull() ? null : superseded;
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), supersededAt);
    }

    private record Row(String keyId, String prefix, String sealed, long createdAt, Long supersededAt) {
        boolean erased() {
            return KeyTables.ERASED.equals(sealed);
        }

        @Override
        public String toString() {
            return "Row[" + keyId + "]";
        }
    }

    /** A key that opened; {@code found} is the lookup's answer, made once so a lookup does not allocate. */
    private record Loaded(String keyId, String prefix, EnvelopeKey key, long supersededAt,
            Optional<EnvelopeKey> found) {
    }
}
