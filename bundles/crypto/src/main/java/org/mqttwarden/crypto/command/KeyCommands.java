package org.mqttwarden.crypto.command;

import java.util.Map;

import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
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
import org.mqttwarden.crypto.keys.KeyState;

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

    /**
     * {@link #create}, {@link #rotate} or {@link #export} as the shell runs them: the change is recorded in the
     * audit log before it is made ({@link AdminChange#KEY_CREATE} and the others, never key material) and not made
     * when it cannot be recorded; a change that then fails is followed by an ERROR event saying so.
     */
    static String audited(EventPublisher events, String what, String actor, Map<String, String> detail,
            Change change) throws CommandException {
        String why = events.record(event(Outcome.ALLOW, what, actor, detail)).orElse(null);
        if (why != null) {
            throw new CommandException("Nothing was changed: " + why + ". Every key change must be in the audit log"
                    + " before it is made; try again in a moment.");
        }
        try {
            return change.run();
        } catch (CommandException | RuntimeException e) {
            Map<String, String> failed = new java.util.HashMap<>(detail);
            failed.put("error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            events.offer(event(Outcome.ERROR, what, actor, failed));
            throw e;
        }
    }

    /** A key change that prints a line or refuses with a {@link CommandException}. */
    @FunctionalInterface
    interface Change {
        String run() throws CommandException;
    }

    private static SecurityEvent event(Outcome outcome, String what, String actor, Map<String, String> detail) {
        return new SecurityEvent(java.time.Instant.now(), EventType.ADMIN_CHANGE, outcome, what, null,
                java.util.Set.of(), null, null, null, null, actor == null ? "unknown" : actor, detail);
    }

    /** @return the shell user running the command, for the audit trail */
    static String actor(org.apache.karaf.shell.api.console.Session session) {
        Object user = session.get("USER");
        return "shell:" + (user == null ? "unknown" : user);
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
    /**
     * @return {@code keyId}, or the id of the key that encrypts for exactly {@code prefix} now
     * @throws CommandException unless exactly one of the two is given, or when no key encrypts for the prefix
     */
    static String idOrPrefix(GatewayKeyStore keys, String keyId, String prefix) throws CommandException {
        if ((keyId == null) == (prefix == null)) {
            throw new CommandException("Name the key by its id (warden:key-list) or by --prefix, one of the two.");
        }
        if (keyId != null) {
            return keyId;
        }
        return keys.list().stream().filter(k -> k.prefix().equals(prefix) && k.state() == KeyState.ENCRYPTING)
                .map(KeyInfo::keyId).findFirst().orElseThrow(() -> new CommandException("No key encrypts for the"
                        + " topic prefix '" + Printable.escape(prefix) + "': warden:key-list shows the prefixes,"
                        + " warden:key-create --prefix makes a key."));
    }

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
