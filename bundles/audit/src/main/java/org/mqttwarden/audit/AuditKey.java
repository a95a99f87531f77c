package org.mqttwarden.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.mqttwarden.store.files.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key of the audit chain's HMAC-SHA256: 32 random bytes, hex, in a file of its own outside the
 * database ({@code ${karaf.etc}/warden-audit.key} by default, else beside the audit file), created
 * {@code rw-------} on first start and made owner-only if found more open. Never logged, never stored
 * in the database: rows carry only its {@link #id() id}, a hash of it, so {@code audit-verify} can say
 * which key a segment of the chain was written under.
 */
final class AuditKey {

    private static final Logger LOG = LoggerFactory.getLogger(AuditKey.class);
    static final String FILE_NAME = "warden-audit.key";
    private static final int BYTES = 32;

    private final byte[] key;
    private final String id;

    private AuditKey(byte[] key) {
        this.key = key;
        this.id = idOf(key);
    }

    /**
     * @return the key in {@code file}, created with a new random key when there is none
     * @throws IllegalStateException when the file cannot be read or written, or does not hold a key
     */
    static AuditKey loadOrCreate(Path file) {
        try {
            if (Files.notExists(file)) {
                create(file);
            }
            ownerOnly(file);
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!text.matches("[0-9a-f]{64}")) {
                throw new IllegalStateException("The audit key file " + file + " does not hold a key (64 hex"
                        + " digits); restore it from a backup, or move it aside to start a new chain segment");
            }
            return new AuditKey(HexFormat.of().parseHex(text));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read or create the audit key file " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * @return where the key lives: {@code configured}, else {@code ${karaf.etc}/warden-audit.key}, else
     *     {@code <db>.key} beside the audit file
     */
    static Path resolve(String configured, Path db) {
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured.trim());
        }
        String etc = System.getProperty("karaf.etc");
        if (etc != null) {
            return Paths.get(etc).resolve(FILE_NAME);
        }
        return db.toAbsolutePath().resolveSibling(db.getFileName() + ".key");
    }

    /** @return a new MAC under this key (one per thread: a {@link Mac} is not thread-safe) */
    Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** @return the first 16 hex digits of SHA-256("warden-audit-key-id" || key): names the key, reveals nothing */
    String id() {
        return id;
    }

    @Override
    public String toString() {
        return "AuditKey[" + id + "]";
    }

    private static String idOf(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("warden-audit-key-id".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(Arrays.copyOf(sha.digest(key), 8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] bytes = new byte[BYTES];
        new SecureRandom().nextBytes(bytes);
        // written whole beside it, then moved into place: a crash never leaves an empty key file
        if (!PrivateFiles.writeNew(file, HexFormat.of().formatHex(bytes) + "\n")) {
            return; // another instance made it first: use that one
        }
        LOG.info("Created the audit chain key {} (id {})", file.toAbsolutePath(), idOf(bytes));
    }

    private static void ownerOnly(Path file) throws IOException {
        PrivateFiles.restrict(file, "the audit chain's key");
    }
}
