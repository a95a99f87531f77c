package org.mqttwarden.crypto.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.crypto.keys.GatewayKeyStore;
import org.mqttwarden.crypto.keys.KeyExport;
import org.mqttwarden.crypto.keys.KeyInfo;

/**
 * What the {@code warden:key-*} commands do, apart from the shell: each returns the text shown, which never holds
 * key material (the list shows ids, prefixes, times and states; an export goes to its file only).
 */
final class KeyCommands {

    private KeyCommands() {
    }

    static String create(GatewayKeyStore keys, String prefix) throws CommandException {
        try {
            String id = keys.create(prefix);
            return "Created key " + id + " for the topic prefix '" + Printable.escape(prefix) + "': it encrypts"
                    + " from now on. warden:key-export " + id + " --out FILE wraps it for a device.";
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage());
        }
    }

    static String rotate(GatewayKeyStore keys, String prefix) throws CommandException {
        try {
            String id = keys.rotate(prefix);
            return "Key " + id + " now encrypts for the topic prefix '" + Printable.escape(prefix) + "'; the key it"
                    + " replaced opens messages until its grace period ends (warden:key-list shows when)."
                    + " Give devices the new key: warden:key-export " + id + " --out FILE.";
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage());
        }
    }

    static ShellTable table(List<KeyInfo> keys) {
        ShellTable table = new ShellTable();
        table.column("Key id");
        table.column("Prefix");
        table.column("Created");
        table.column("State");
        for (KeyInfo k : keys) {
            String state = switch (k.state()) {
                case ENCRYPTING -> "encrypting";
                case DECRYPT_ONLY -> "decrypt-only until " + k.retires().orElseThrow();
                case RETIRED -> "retired since " + k.retires().orElseThrow();
            };
            table.addRow().addContent(k.keyId(), "'" + Printable.escape(k.prefix()) + "'", k.created(), state);
        }
        return table;
    }

    static String none() {
        return "No envelope key yet (warden:key-create --prefix PREFIX makes one)";
    }

    /**
     * Writes {@code keyId} wrapped under {@code passphrase} to a new file {@code out}, created {@code rw-------}
     * (where the file system has POSIX permissions) from its first moment; an existing file is never touched.
     */
    static String export(GatewayKeyStore keys, String keyId, char[] passphrase, Path out) throws CommandException {
        byte[] wrapped;
        try {
            wrapped = keys.export(keyId, passphrase);
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage());
        }
        Path file = out.toAbsolutePath();
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileAttribute<?>[] attributes = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        "rw-------"))}
                : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(file, options, attributes)) {
            ByteBuffer buffer = ByteBuffer.wrap(wrapped);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new CommandException(file + " exists: the export never overwrites a file; name a new one.");
        } catch (IOException e) {
            throw new CommandException("Cannot write " + file + ": " + e.getMessage());
        } finally {
            Arrays.fill(wrapped, (byte) 0);
        }
        return "Wrote key " + keyId + " wrapped under the passphrase to " + file + " (rw-------). Give the device the"
                + " file and, by another channel, the passphrase; delete the file once the device has read it.";
    }

    static final String NO_TERMINAL = "There is no terminal to ask for the passphrase: pipe it in with"
            + " --passphrase-stdin; nothing was written.";

    /** @return the first line of {@code in} as the passphrase */
    static char[] passphraseFrom(InputStream in) throws CommandException {
        String line;
        try {
            line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new CommandException("Could not read the passphrase from standard input: " + e.getMessage());
        }
        if (line == null || line.isEmpty()) {
            throw new CommandException("No passphrase on standard input; nothing was written.");
        }
        return checked(line.toCharArray());
    }

    /** @return the passphrase typed twice the same */
    static char[] passphraseTyped(String first, String second) throws CommandException {
        if (first == null || !first.equals(second)) {
            throw new CommandException("The two passphrases differ; nothing was written.");
        }
        return checked(first.toCharArray());
    }

    private static char[] checked(char[] passphrase) throws CommandException {
        if (passphrase.length < KeyExport.MIN_PASSPHRASE_CHARS) {
            Arrays.fill(passphrase, '\0');
            throw new CommandException("The passphrase must have at least " + KeyExport.MIN_PASSPHRASE_CHARS
                    + " characters; nothing was written.");
        }
        return passphrase;
    }
}
