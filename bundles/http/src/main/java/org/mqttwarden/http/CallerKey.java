package org.mqttwarden.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import org.mqttwarden.store.files.PrivateFiles;

/**
 * The key a caller (go-auth) must present in a header. Read once, from a file only its owner may
 * read; a missing file is created with a fresh random key, mode 0600 from its creation. Only the
 * SHA-256 of the key is kept in memory; a presented value is hashed the same way and the two
 * digests are compared with {@link MessageDigest#isEqual} (constant time, both always 32 bytes), so
 * neither the time taken nor anything else depends on how much of a guess was right. Nothing here
 * logs or prints the key.
 *
 * <p>The file holds one line: the key, 32 to 256 visible ASCII characters (a generated key is 32
 * random bytes in base64url without padding, 43 characters). Anything after the first line is
 * ignored.
 */
final class CallerKey {

    /** Shortest key accepted from a file written by hand. */
    static final int MIN_LENGTH = 32;
    /** Longest key accepted; a longer presented value is hashed and refused like any other. */
    static final int MAX_LENGTH = 256;
    private static final int RANDOM_BYTES = 32;

    private final byte[] digest;
    /** One digest and one output buffer per IO thread: checking a key allocates nothing. */
    private final ThreadLocal<Hasher> hashers = ThreadLocal.withInitial(Hasher::new);

    private CallerKey(byte[] digest) {
        this.digest = digest;
    }

    /** What {@link #load} did. */
    enum Origin {
        /** The file was there and was read. */
        READ,
        /** The file was missing and was created with a fresh random key. */
        CREATED
    }

    /** A key and whether its file was created now. */
    record Loaded(CallerKey key, Origin origin) {
    }

    /**
     * Reads the key from {@code file}, creating the file (mode 0600) with a fresh random key when it
     * does not exist. An existing file is never rewritten.
     *
     * @return the key, and whether its file was created
     * @throws IllegalStateException when the file may be read or written by its group or others, when
     *         the file system cannot say (no POSIX permissions), when the file holds no valid key, or
     *         when it cannot be read or created; the message says which and never contains the key
     */
    static Loaded load(Path file) {
        Origin origin = Origin.READ;
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                if (create(file)) {
                    origin = Origin.CREATED;
                }
            }
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("The caller key file " + file + " is not a regular file");
            }
            if (!PrivateFiles.posix()) {
                throw new IllegalStateException("Cannot tell who may read the caller key file " + file
                        + ": its file system has no POSIX permissions");
            }
            Optional<String> open = PrivateFiles.openMode(file);
            if (open.isPresent()) {
                throw new IllegalStateException("The caller key file " + file + " has mode " + open.get()
                        + ": its group or others may use it. Make it readable by its owner only (chmod 600) and let"
                        + " go-auth's configuration be the only other copy");
            }
            byte[] key = firstLine(Files.readAllBytes(file));
            try {
                return new Loaded(new CallerKey(sha256().digest(key)), origin);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read or create the caller key file " + file + ": " + e, e);
        }
    }

    /** @return whether the file was created here (false: another process created it meanwhile) */
    private static boolean create(Path file) throws IOException {
        byte[] random = new byte[RANDOM_BYTES];
        new SecureRandom().nextBytes(random);
        byte[] line = (Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(random, (byte) 0);
        try {
            // rw------- from its creation: there is no moment in which others may read the file
            return PrivateFiles.createWith(file, line);
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    /** @return the key on the file's first line; throws when it is not 32..256 visible ASCII characters */
    private static byte[] firstLine(byte[] content) {
        int end = 0;
        while (end < content.length && content[end] != '\n') {
            end++;
        }
        int length = end > 0 && content[end - 1] == '\r' ? end - 1 : end;
        try {
            if (length < MIN_LENGTH || length > MAX_LENGTH) {
                throw new IllegalStateException("The caller key file's first line must hold a key of " + MIN_LENGTH
                        + " to " + MAX_LENGTH + " characters; it has " + length);
            }
            for (int i = 0; i < length; i++) {
                if (content[i] < 0x21 || content[i] > 0x7e) {
                    throw new IllegalStateException("The caller key file's key must be visible ASCII characters"
                            + " (no spaces); character " + (i + 1) + " is not");
                }
            }
            return Arrays.copyOf(content, length);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    /**
     * Says whether {@code presented} is the key. Constant time in the key: the presented value is
     * hashed (its own length alone decides the hashing time) and the fixed-length digests are
     * compared with {@link MessageDigest#isEqual}. Allocates nothing.
     *
     * @return true only when {@code presented} is exactly the key; false for {@code null}, a value
     *         longer than {@link #MAX_LENGTH} or with a character beyond ISO-8859-1
     */
    boolean matches(String presented) {
        if (presented == null || presented.length() > MAX_LENGTH) {
            return false;
        }
        Hasher h = hashers.get();
        boolean plain = true;
        for (int i = 0; i < presented.length(); i++) {
            char c = presented.charAt(i);
            plain &= c <= 0xff;
            h.md.update((byte) c);
        }
        try {
            h.md.digest(h.out, 0, h.out.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        return MessageDigest.isEqual(h.out, digest) & plain;
    }

    @Override
    public String toString() {
        return "CallerKey[***]";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A thread's digest and output buffer. */
    private static final class Hasher {
        final MessageDigest md = sha256();
        final byte[] out = new byte[32];
    }
}
