package org.mqttwarden.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

import org.mqttwarden.api.store.KeyFiles;
import org.mqttwarden.store.files.PrivateFiles;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@link KeyFiles} in Karaf's {@code etc/} folder ({@code karaf.etc}). A new key is written to a file created
 * {@code rw-------} (first writer wins when two processes race); an existing file more open than that is refused
 * rather than tightened, since the key may already have been read.
 */
@Component(service = KeyFiles.class)
public final class EtcKeyFiles implements KeyFiles {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final Path folder;
    private final SecureRandom random = new SecureRandom();

    @Activate
    public EtcKeyFiles() {
        this(Path.of(System.getProperty("karaf.etc", "etc")));
    }

    /** Keys in {@code folder} instead of Karaf's {@code etc/}. */
    public EtcKeyFiles(Path folder) {
        this.folder = folder.toAbsolutePath();
    }

    @Override
    public synchronized byte[] key(String name, int bytes) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("A key's name is 1 to 32 of a-z, 0-9 and '-', starting with a letter,"
                    + " not '" + name + "'");
        }
        if (bytes < 16 || bytes > 64) {
            throw new IllegalArgumentException("A key has 16 to 64 bytes, not " + bytes);
        }
        Path file = folder.resolve("warden-" + name + ".key");
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                create(file, bytes);
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("The key file " + file + " is not a regular file");
            }
            Optional<String> open = PrivateFiles.openMode(file);
            if (open.isPresent()) {
                throw new IllegalStateException("The key file " + file + " has mode " + open.get() + ": its group or"
                        + " others may have read it. Make a new key (move the file aside; what it protected must then"
                        + " be made again) or, if no one else can have read it, chmod 600 it");
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (text.length() != bytes * 2 || !text.chars().allMatch(c -> (c >= '0' && c <= '9')
                    || (c >= 'a' && c <= 'f'))) {
                throw new IllegalStateException("The key file " + file + " does not hold a key of " + bytes
                        + " bytes (" + bytes * 2 + " hex digits); restore it from a backup");
            }
            return HexFormat.of().parseHex(text);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read or create the key file " + file + ": " + e.getMessage(), e);
        }
    }

    private void create(Path file, int bytes) throws IOException {
        byte[] key = new byte[bytes];
        random.nextBytes(key);
        byte[] line = (HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(key, (byte) 0);
        try {
            // false: another process made it a moment ago, and its key is the key
            PrivateFiles.createWith(file, line);
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }
}
