package org.mqttwarden.crypto.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.mqttwarden.crypto.keys.KeyExport;
import org.mqttwarden.crypto.keys.ProvisionedKey;

/**
 * {@code warden-mqtt}, the command line of the secure client for operators and tests (a plain JVM program, not the
 * Karaf shell): make a pre-shared key file, publish one protected message, or print what arrives on a filter with
 * its state. See {@link #USAGE} for the commands and exit codes.
 *
 * <p>What {@code subscribe} prints of a payload is authenticated but still escaped (backslash, control characters as
 * {@code \n}, {@code \t}, {@code \xHH}) so that each message is exactly one line: a sender cannot make one message
 * look like several, or like another state, to a script reading the output.
 */
public final class WardenMqtt {

    /** Success. */
    public static final int EXIT_OK = 0;
    /** Another failure: the key file to write exists, the state folder or CA file cannot be used, a publish failed. */
    public static final int EXIT_FAILED = 1;
    /** Bad arguments: the usage is printed on stderr. */
    public static final int EXIT_USAGE = 2;
    /** The broker is unreachable or refused the connection (TLS, credentials). */
    public static final int EXIT_BROKER = 3;
    /** The key file is missing, unreadable, accessible by others or not a key file. */
    public static final int EXIT_KEY = 4;

    static final String USAGE = String.join("\n",
            "usage: warden-mqtt keygen --out FILE [--id KEY_ID]",
            "       warden-mqtt import-key --in EXPORT --out FILE   (the passphrase: first line of standard input)",
            "       warden-mqtt publish --url URL --key FILE --topic TOPIC --message TEXT [--qos 0|1|2]",
            "                   [--username USER --password-stdin] [--cafile PEM] [--client-id ID]",
            "                   [--cert P12 [--cert-password-file FILE]] [--sender ID] [--state-dir DIR]",
            "       warden-mqtt subscribe --url URL --key FILE --topic FILTER [--count N] [--qos 0|1|2]",
            "                   [--username USER --password-stdin] [--cafile PEM] [--client-id ID]",
            "                   [--cert P12 [--cert-password-file FILE]]",
            "URL is tcp://host:port or ssl://host:port (--cafile: the PEM CA the broker's certificate comes from).",
            "--password-stdin reads the broker password from the first line of standard input; --cert is a",
            "PKCS#12 client certificate for ssl://, its password the first line of --cert-password-file.",
            "publish numbers messages from a state file in DIR (default ~/.warden-mqtt/state) so that receivers",
            "never take a new message for a replay; the sender id defaults to <user>@<host>.",
            "subscribe prints 'OK <topic> <payload>' per verified message (payload escaped to one line) and",
            "'<STATE> <topic>' per rejected one (TAMPERED, REPLAYED, STALE, UNKNOWN_KEY, MALFORMED), and exits",
            "after N messages when --count is given.",
            "import-key turns a key of the gateway's warden:key-export into a key file for --key.",
            "Exit codes: 0 ok, 1 other failure, 2 bad arguments, 3 broker unreachable or refused,",
            "4 key file unreadable.");

    /** A key export is some 130 bytes; anything much larger is not one. */
    private static final long MAX_EXPORT_BYTES = 4096;
    private static final Set<String> FLAGS = Set.of("--password-stdin");
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "keygen", Set.of("--out", "--id"),
            "import-key", Set.of("--in", "--out"),
            "publish", Set.of("--url", "--key", "--topic", "--message", "--qos", "--username", "--password-stdin",
                    "--cafile", "--client-id", "--sender", "--state-dir", "--cert", "--cert-password-file"),
            "subscribe", Set.of("--url", "--key", "--topic", "--count", "--qos", "--username", "--password-stdin",
                    "--cafile", "--client-id", "--cert", "--cert-password-file"));

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    private WardenMqtt(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** Runs a command and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /**
     * Runs a command; {@code subscribe} without {@code --count} returns only when interrupted.
     *
     * @return the exit code
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return new WardenMqtt(in, out, err).run(args);
    }

    private int run(String[] args) {
        Map<String, String> opts;
        String command = args.length == 0 ? "" : args[0];
        try {
            Set<String> allowed = OPTIONS.get(command);
            if (allowed == null) {
                throw new UsageException(command.isEmpty() ? "A command is required." : "Unknown command '" + command
                        + "'.");
            }
            opts = parse(args, allowed);
        } catch (UsageException e) {
            return usage(e.getMessage());
        }
        try {
            return switch (command) {
                case "keygen" -> keygen(opts);
                case "import-key" -> importKey(opts);
                case "publish" -> publish(opts);
                default -> subscribe(opts);
            };
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (PreSharedKey.KeyFileException e) {
            err.println("warden-mqtt: " + e.getMessage());
            return EXIT_KEY;
        } catch (BrokerConnectException e) {
            err.println("warden-mqtt: " + e.getMessage());
            return EXIT_BROKER;
        } catch (IOException | RuntimeException e) {
            err.println("warden-mqtt: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return EXIT_FAILED;
        }
    }

    private int keygen(Map<String, String> opts) throws IOException {
        Path file = Path.of(required(opts, "--out"));
        SecureRandom random = new SecureRandom();
        String id = opts.getOrDefault("--id", PreSharedKey.newKeyId(random));
        try {
            PreSharedKey key = PreSharedKey.generate(file, id, random);
            err.println("Wrote key " + key.keyId() + " to " + file + " (readable by you only). Copy it to each device"
                    + " over a secure channel; whoever holds it can read and forge these messages.");
            return EXIT_OK;
        } catch (FileAlreadyExistsException e) {
            err.println("warden-mqtt: " + file + " exists: a key file is never overwritten; choose another name, or"
                    + " delete the old key first if no device uses it.");
            return EXIT_FAILED;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() + ".");
        }
    }

    /** A key export of the gateway, unwrapped with the passphrase on standard input, written as a key file. */
    private int importKey(Map<String, String> opts) throws IOException {
        Path from = Path.of(required(opts, "--in"));
        Path file = Path.of(required(opts, "--out"));
        byte[] export;
        try {
            if (Files.size(from) > MAX_EXPORT_BYTES) {
                throw new PreSharedKey.KeyFileException(from + " is not a key export of warden:key-export (too"
                        + " large).");
            }
            export = Files.readAllBytes(from);
        } catch (NoSuchFileException e) {
            throw new PreSharedKey.KeyFileException(from + " does not exist.");
        } catch (IOException e) {
            throw new PreSharedKey.KeyFileException(from + " cannot be read: " + e.getMessage() + ".");
        }
        char[] passphrase = readPassword();
        if (passphrase.length == 0) {
            throw new UsageException("import-key reads the export's passphrase from the first line of standard"
                    + " input, which is empty.");
        }
        ProvisionedKey key;
        try {
            key = KeyExport.unwrap(export, passphrase);
        } catch (IllegalArgumentException e) {
            throw new PreSharedKey.KeyFileException(from + ": " + e.getMessage());
        } finally {
            Arrays.fill(passphrase, '\0');
        }
        byte[] secret = key.secret();
        try {
            PreSharedKey.write(file, key.keyId(), secret);
            err.println("Wrote key " + key.keyId() + " (topic prefix '" + key.prefix() + "') to " + file
                    + " (readable by you only). Delete " + from + " once every device that needs it has it.");
            return EXIT_OK;
        } catch (FileAlreadyExistsException e) {
            err.println("warden-mqtt: " + file + " exists: a key file is never overwritten; choose another name.");
            return EXIT_FAILED;
        } finally {
            Arrays.fill(secret, (byte) 0);
            key.erase();
        }
    }

    private int publish(Map<String, String> opts) throws IOException {
        String topic = required(opts, "--topic");
        String message = required(opts, "--message");
        int qos = qos(opts);
        Path stateDir = Path.of(opts.getOrDefault("--state-dir",
                Path.of(System.getProperty("user.home"), ".warden-mqtt", "state").toString()));
        String sender = opts.containsKey("--sender") ? opts.get("--sender") : defaultSender();
        SecureMqttOptions.Builder b = common(opts).senderId(sender).stateDir(stateDir);
        try (SecureMqttClient client = SecureMqttClient.connect(build(b))) {
            client.publish(topic, message.getBytes(StandardCharsets.UTF_8), qos);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() + ".");
        }
        return EXIT_OK;
    }

    private int subscribe(Map<String, String> opts) throws IOException {
        String filter = required(opts, "--topic");
        int qos = qos(opts);
        long count = 0;
        if (opts.containsKey("--count")) {
            count = number(opts.get("--count"), "--count", 1, Long.MAX_VALUE);
        }
        CountDownLatch done = new CountDownLatch(1);
        long limit = count;
        long[] printed = {0};
        SecureMqttOptions.Builder b = common(opts).senderId(opts.getOrDefault("--client-id", "warden-mqtt"));
        try (SecureMqttClient client = SecureMqttClient.connect(build(b))) {
            try {
                client.subscribe(filter, qos, m -> {
                    synchronized (printed) {
                        if (limit > 0 && printed[0] >= limit) {
                            return;
                        }
                        out.println(m.isOk() ? "OK " + m.topic() + " " + escape(m.plaintext())
                                : m.state() + " " + m.topic());
                        out.flush();
                        if (++printed[0] == limit) {
                            done.countDown();
                        }
                    }
                });
            } catch (IllegalArgumentException e) {
                throw new UsageException("The topic filter is not valid: " + e.getMessage() + ".");
            }
            err.println("Subscribed to " + filter + (limit > 0 ? "; waiting for " + limit + " message(s)." : "."));
            err.flush();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return EXIT_OK;
    }

    /** The connection options both publish and subscribe take; reads the key (exit 4) and the password. */
    private SecureMqttOptions.Builder common(Map<String, String> opts) throws IOException {
        String url = required(opts, "--url");
        String keyFile = required(opts, "--key");
        if (opts.containsKey("--password-stdin") && !opts.containsKey("--username")) {
            throw new UsageException("--password-stdin needs --username.");
        }
        if ((opts.containsKey("--cafile") || opts.containsKey("--cert")) && !url.startsWith("ssl://")) {
            throw new UsageException("--cafile and --cert are for ssl:// URLs.");
        }
        if (opts.containsKey("--cert-password-file") && !opts.containsKey("--cert")) {
            throw new UsageException("--cert-password-file needs --cert.");
        }
        SecureMqttOptions.Builder b = SecureMqttOptions.builder().url(url)
                .clientId(opts.getOrDefault("--client-id", "warden-mqtt-" + HexFormat.of().formatHex(nonce())));
        if (opts.containsKey("--cafile")) {
            b.caFile(Path.of(opts.get("--cafile")));
        }
        b.key(PreSharedKey.read(Path.of(keyFile)));
        if (opts.containsKey("--cert")) {
            char[] certPassword = opts.containsKey("--cert-password-file")
                    ? firstLine(Path.of(opts.get("--cert-password-file"))) : new char[0];
            try {
                b.clientCertificate(Path.of(opts.get("--cert")), certPassword);
            } finally {
                Arrays.fill(certPassword, '\0');
            }
        }
        if (opts.containsKey("--username")) {
            char[] password = opts.containsKey("--password-stdin") ? readPassword() : null;
            try {
                b.credentials(opts.get("--username"), password);
            } finally {
                if (password != null) {
                    Arrays.fill(password, '\0');
                }
            }
        }
        return b;
    }

    private static SecureMqttOptions build(SecureMqttOptions.Builder b) {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() + ".");
        }
    }

    /** The first line of a password file, as characters. */
    private static char[] firstLine(Path file) throws IOException {
        byte[] raw;
        try {
            raw = java.nio.file.Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("The password file " + file + " cannot be read.", e);
        }
        try {
            int end = 0;
            while (end < raw.length && raw[end] != '\n' && raw[end] != '\r') {
                end++;
            }
            java.nio.CharBuffer chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(raw, 0, end));
            char[] out = new char[chars.remaining()];
            chars.get(out);
            if (chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
            return out;
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private char[] readPassword() throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = r.read()) != -1 && c != '\n') {
            sb.append((char) c);
        }
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') {
            sb.setLength(sb.length() - 1);
        }
        char[] password = new char[sb.length()];
        sb.getChars(0, sb.length(), password, 0);
        for (int i = 0; i < sb.length(); i++) {
            sb.setCharAt(i, '\0');
        }
        return password;
    }

    private static Map<String, String> parse(String[] args, Set<String> allowed) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!allowed.contains(a)) {
                throw new UsageException("Unknown option '" + a + "' for " + args[0] + ".");
            }
            String value = "";
            if (!FLAGS.contains(a)) {
                if (i + 1 >= args.length) {
                    throw new UsageException(a + " needs a value.");
                }
                value = args[++i];
            }
            if (opts.put(a, value) != null) {
                throw new UsageException(a + " is given twice.");
            }
        }
        return opts;
    }

    private static String required(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null || v.isEmpty()) {
            throw new UsageException(name + " is required.");
        }
        return v;
    }

    private static int qos(Map<String, String> opts) {
        return opts.containsKey("--qos") ? (int) number(opts.get("--qos"), "--qos", 0, 2) : 1;
    }

    private static long number(String s, String name, long min, long max) {
        try {
            long v = Long.parseLong(s);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException(name + " must be a number from " + min + " to " + max + ".");
    }

    private int usage(String problem) {
        err.println("warden-mqtt: " + problem);
        err.println(USAGE);
        return EXIT_USAGE;
    }

    private static String defaultSender() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return System.getProperty("user.name", "user") + "@" + host;
    }

    private static byte[] nonce() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** The payload as one line of text: UTF-8 (invalid bytes as U+FFFD), backslash and control characters escaped. */
    static String escape(byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029') {
                        sb.append(c <= 0xFF ? String.format("\\x%02x", (int) c)
                                : String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** Bad arguments: exit code 2 with the usage. */
    private static final class UsageException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
