package org.mqttwarden.crypto.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mqttwarden.crypto.envelope.EnvelopeCodec;
import org.mqttwarden.crypto.envelope.EnvelopeKey;

/**
 * A pre-shared envelope key and its id, as kept in a key file for devices that do not do the session handshake.
 *
 * <p>The file is text, so an operator can see which key it is without tools, and holds the key itself in Base64:
 * <pre>
 * # MQTT Warden pre-shared key: whoever holds this file can read and forge the messages it protects.
 * mqttwarden-psk v1
 * id=&lt;key id: 1 to 64 characters A-Z a-z 0-9 . _ -&gt;
 * key=&lt;Base64 (RFC 4648, padded) of 32 random bytes&gt;
 * </pre>
 * Lines starting with {@code #} and empty lines are ignored; the other three lines must appear in this order. The
 * file is created readable and writable by its owner only from its first byte (never widened afterwards), and a key
 * file others may read or write is refused, as ssh refuses such a private key: a key that leaked is no key.
 */
public final class PreSharedKey {

    private static final String MAGIC = "mqttwarden-psk v1";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1," + EnvelopeCodec.MAX_KEY_ID_BYTES + "}");
    private static final Pattern ID_LINE = Pattern.compile("id=(.*)");
    private static final Pattern KEY_LINE = Pattern.compile("key=([A-Za-z0-9+/=]{44})");
    private static final int MAX_FILE_BYTES = 4096;

    private final String keyId;
    private final EnvelopeKey key;

    private PreSharedKey(String keyId, EnvelopeKey key) {
        this.keyId = keyId;
        this.key = key;
    }

    /** @return the key id envelopes sealed with this key carry */
    public String keyId() {
        return keyId;
    }

    /** @return the envelope key */
    public EnvelopeKey key() {
        return key;
    }

    /** @return a new random key id, {@code psk-} and 16 hex digits */
    public static String newKeyId(SecureRandom random) {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return "psk-" + HexFormat.of().formatHex(b);
    }

    /**
     * Generates a key and writes it to a new file, created rw------- (POSIX) from the start.
     *
     * @param file where to write it; must not exist
     * @param keyId the key id, 1 to 64 characters A-Z a-z 0-9 . _ -
     * @throws FileAlreadyExistsException if {@code file} exists (a key is never overwritten)
     * @throws IllegalArgumentException if the key id is not of that form
     */
    public static PreSharedKey generate(Path file, String keyId, SecureRandom random) throws IOException {
        byte[] secret = new byte[EnvelopeKey.LENGTH];
        random.nextBytes(secret);
        try {
            return write(file, keyId, secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * Writes a given key to a new file, created rw------- (POSIX) from the start: a key the gateway exported
     * ({@code warden:key-export}), unwrapped on the device.
     *
     * @param secret the 32-byte key; not kept (the caller erases it)
     * @throws FileAlreadyExistsException if {@code file} exists (a key is never overwritten)
     * @throws IllegalArgumentException if the key id is not of the form {@link #generate} says, or the key not 32
     *         bytes
     */
    public static PreSharedKey write(Path file, String keyId, byte[] secret) throws IOException {
        Objects.requireNonNull(file, "file");
        if (keyId == null || !ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("A key id is 1 to 64 characters A-Z a-z 0-9 . _ -");
        }
        if (secret == null || secret.length != EnvelopeKey.LENGTH) {
            throw new IllegalArgumentException("A pre-shared key is " + EnvelopeKey.LENGTH + " bytes");
        }
        byte[] text = null;
        try {
            String b64 = Base64.getEncoder().encodeToString(secret);
            text = ("# MQTT Warden pre-shared key: whoever holds this file can read and forge the messages it"
                    + " protects.\n" + MAGIC + "\nid=" + keyId + "\nkey=" + b64 + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try (SeekableByteChannel ch = Files.newByteChannel(file,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly(file))) {
                ByteBuffer buf = ByteBuffer.wrap(text);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            return new PreSharedKey(keyId, EnvelopeKey.of(secret));
        } finally {
            if (text != null) {
                Arrays.fill(text, (byte) 0);
            }
        }
    }

    /**
     * Reads a key file.
     *
     * @throws KeyFileException if it is missing, unreadable, readable or writable by others, or not a key file
     *         (the message names the file and the fault, never the key)
     */
    public static PreSharedKey read(Path file) throws KeyFileException {
        Objects.requireNonNull(file, "file");
        byte[] raw = null;
        byte[] secret = null;
        try {
            if (!Files.isRegularFile(file)) {
                throw new KeyFileException("The key file " + file + " does not exist or is not a file.");
            }
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
                if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                    throw new KeyFileException("The key file " + file + " is accessible by other users ("
                            + PosixFilePermissions.toString(perms) + "): run chmod 600 on it, and replace the key if"
                            + " someone else may have read it.");
                }
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new KeyFileException("The key file " + file + " is not a key file: it is too large.");
            }
            raw = Files.readAllBytes(file);
            String[] lines = new String(raw, StandardCharsets.US_ASCII).split("\r?\n");
            int i = skipComments(lines, 0);
            if (i >= lines.length || !lines[i].equals(MAGIC)) {
                throw new KeyFileException("The key file " + file + " is not a key file: it does not start with '"
                        + MAGIC + "'.");
            }
            i = skipComments(lines, i + 1);
            Matcher id = i < lines.length ? ID_LINE.matcher(lines[i]) : null;
            if (id == null || !id.matches() || !ID.matcher(id.group(1)).matches()) {
                throw new KeyFileException("The key file " + file + " is corrupt: no valid 'id=' line after '" + MAGIC
                        + "'.");
            }
            i = skipComments(lines, i + 1);
            Matcher key = i < lines.length ? KEY_LINE.matcher(lines[i]) : null;
            if (key == null || !key.matches()) {
                throw new KeyFileException("The key file " + file + " is corrupt: no valid 'key=' line after 'id='.");
            }
            try {
                secret = Base64.getDecoder().decode(key.group(1));
            } catch (IllegalArgumentException e) {
                throw new KeyFileException("The key file " + file + " is corrupt: its key is not Base64.");
            }
            if (secret.length != EnvelopeKey.LENGTH || skipComments(lines, i + 1) != lines.length) {
                throw new KeyFileException("The key file " + file + " is corrupt: the key must be 32 bytes and the"
                        + " last line.");
            }
            return new PreSharedKey(id.group(1), EnvelopeKey.of(secret));
        } catch (NoSuchFileException e) {
            throw new KeyFileException("The key file " + file + " does not exist.");
        } catch (KeyFileException e) {
            throw e;
        } catch (IOException e) {
            throw new KeyFileException("The key file " + file + " cannot be read: " + e.getClass().getSimpleName()
                    + ".");
        } finally {
            if (raw != null) {
                Arrays.fill(raw, (byte) 0);
            }
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    private static int skipComments(String[] lines, int from) {
        int i = from;
        while (i < lines.length && (lines[i].isEmpty() || lines[i].startsWith("#"))) {
            i++;
        }
        return i;
    }

    private static FileAttribute<?>[] ownerOnly(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }

    @Override
    public String toString() {
        return "PreSharedKey[" + keyId + ", material hidden]";
    }

    /** A key file that cannot be used; the message names the file and why, never key material. */
    public static final class KeyFileException extends IOException {

        private static final long serialVersionUID = 1L;

        KeyFileException(String message) {
            super(message);
        }
    }
}
