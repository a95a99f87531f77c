package org.mqttwarden.broker.lint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a mosquitto.conf the way Mosquitto 2.x does, so the linter judges what the broker will actually run:
 *
 * <ul>
 *   <li>a comment is a line whose <em>first</em> character is {@code #}; the option name is the first token split
 *       on spaces only (an indented comment or a tab-indented option is an unknown option to Mosquitto, which
 *       then refuses to start: checked with 2.0.11);</li>
 *   <li>{@code include_dir} is followed from the main file only, its {@code *.conf} files in Mosquitto's order
 *       (case-sensitive, the upper case of a letter before its lower case: mosquitto.conf(5)); an
 *       {@code include_dir} in an included file is ignored (2.0.11 loads nothing from it);</li>
 *   <li>listener options before the first {@code listener} line configure the default listener, which Mosquitto
 *       then opens on port 1883 on all interfaces (2.0.11 does, e.g. for a {@code certfile} there); with no
 *       listener at all it listens on loopback only;</li>
 *   <li>security options are global, or the current listener's under {@code per_listener_settings true};
 *       {@code auth_opt_*} lines belong to the last plugin line before them.</li>
 * </ul>
 *
 * Files are read as strict UTF-8 with at most {@value #MAX_BYTES} bytes each, {@value #MAX_TOTAL_BYTES} in all and
 * {@value #MAX_FILES} files; only regular files are opened (a FIFO or device in include_dir is skipped, as
 * Mosquitto cannot use it either), so a hostile or mistaken path cannot hang the linter or exhaust its memory.
 */
public final class ConfigParser {

    static final int MAX_BYTES = 4 * 1024 * 1024;
    static final int MAX_FILES = 1000;
    static final long MAX_TOTAL_BYTES = 16L * 1024 * 1024;

    /** Options of a listener (mosquitto.conf(5) "Listeners"), 2.0 and 2.1. */
    static final Set<String> LISTENER_OPTIONS = Set.of("bind_interface", "http_dir", "max_connections", "max_qos",
            "max_topic_alias", "mount_point", "protocol", "socket_domain", "use_username_as_clientid",
            "websockets_headers_size", "cafile", "capath", "certfile", "ciphers", "ciphers_tls1.3", "crlfile",
            "dhparamfile", "keyfile", "require_certificate", "tls_engine", "tls_engine_kpass_sha1", "tls_keyform",
            "tls_version", "use_identity_as_username", "use_subject_as_username", "psk_hint",
            // 2.1
            "accept_protocol_versions", "listener_allow_anonymous", "listener_auto_id_prefix", "plugin_use",
            "websockets_origin", "disable_client_cert_date_checks", "enable_proxy_protocol");

    /** Options that per_listener_settings makes per listener (mosquitto.conf(5), per_listener_settings). */
    static final Set<String> SECURITY_OPTIONS = Set.of("password_file", "acl_file", "psk_file", "allow_anonymous",
            "allow_zero_length_clientid", "auto_id_prefix");

    /** Global and bridge options of Mosquitto 2.0 (mosquitto.conf(5) of 2.0.11) and 2.1 (its release notes). */
    static final Set<String> OTHER_OPTIONS = Set.of("allow_duplicate_messages", "autosave_interval",
            "autosave_on_changes", "check_retain_source", "clientid_prefixes", "connection_messages",
            "include_dir", "log_dest", "log_facility", "log_timestamp", "log_timestamp_format", "log_type",
            "max_inflight_bytes", "max_inflight_messages", "max_keepalive", "max_packet_size", "max_queued_bytes",
            "max_queued_messages", "memory_limit", "message_size_limit", "per_listener_settings", "persistence",
            "persistence_file", "persistence_location", "persistent_client_expiration", "pid_file",
            "queue_qos0_messages", "retain_available", "set_tcp_nodelay", "sys_interval", "upgrade_outgoing_qos",
            "user", "websockets_log_level", "port", "bind_address", "listener", "auth_plugin", "plugin",
            "auth_plugin_deny_special_chars",
            // bridges
            "connection", "address", "addresses", "cleansession", "clientid", "idle_timeout", "keepalive_interval",
            "local_cleansession", "local_clientid", "local_password", "local_username", "notifications",
            "notifications_local_only", "notification_topic", "remote_clientid", "remote_password",
            "remote_username", "restart_timeout", "round_robin", "start_type", "threshold", "topic",
            "try_private", "username", "password",
            // 2.1
            "global_plugin", "plugin_load", "global_max_clients", "global_max_connections", "enable_control_api");

    /** Boolean options this linter reads; Mosquitto refuses anything but true or false for them. */
    static final Set<String> BOOLEANS = Set.of("allow_anonymous", "per_listener_settings", "require_certificate",
            "use_identity_as_username", "use_subject_as_username", "allow_zero_length_clientid",
            "auth_plugin_deny_special_chars", "allow_duplicate_messages", "listener_allow_anonymous",
            "check_retain_source", "persistence", "connection_messages");

    private final List<Path> files = new ArrayList<>();
    private final List<ConfigLine> lines = new ArrayList<>();
    private final List<Listener> explicit = new ArrayList<>();
    private final Map<String, ConfigLine> global = new LinkedHashMap<>();
    private final List<Plugin> globalPlugins = new ArrayList<>();
    private final List<MosquittoConfig.Problem> problems = new ArrayList<>();
    private final Map<Object, Plugin> currentPlugin = new HashMap<>();
    /** Options given before the first listener line: the default listener's. */
    private final Listener preListener = new Listener(Listener.Kind.DEFAULT, null, 1883, null);
    private boolean defaultListenerOpened;
    private ConfigLine defaultListenerCause;
    private Listener current;
    private boolean perListener;
    private boolean securitySeen;
    private long totalBytes;

    private ConfigParser() {
    }

    /**
     * Reads {@code main} and the files it includes.
     *
     * @return the configuration, with what Mosquitto would refuse in {@link MosquittoConfig#problems()}
     * @throws ConfigException when {@code main} cannot be read, or is not a Mosquitto configuration (not text,
     *     or not one line that is a Mosquitto option)
     */
    public static MosquittoConfig parse(Path main) throws ConfigException {
        ConfigParser p = new ConfigParser();
        Path file = main.toAbsolutePath().normalize();
        List<String> text = p.read(file, true);
        p.files.add(file);
        p.readLines(file, text, true);
        if (p.lines.isEmpty() || p.lines.stream().noneMatch(l -> known(l.key()))) {
            throw new ConfigException(main + " is not a Mosquitto configuration: it has no Mosquitto option");
        }
        return p.build(file);
    }

    /** For tests and callers that checked the file already: {@link #parse} with the exception unchecked. */
    static MosquittoConfig parseQuietly(Path main) {
        try {
            return parse(main);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private MosquittoConfig build(Path file) {
        List<Listener> listeners = new ArrayList<>();
        if (defaultListenerOpened) {
            listeners.add(defaultListener());
        }
        listeners.addAll(explicit);
        if (listeners.isEmpty()) {
            Listener implicit = new Listener(Listener.Kind.IMPLICIT, null, 1883, "127.0.0.1");
            copyInto(implicit);
            listeners.add(implicit);
        }
        return new MosquittoConfig(file, files, lines, listeners, global, globalPlugins, perListener, problems);
    }

    private Listener defaultListener() {
        String address = preListener.option("bind_address").map(ConfigLine::firstToken).orElse(null);
        int port = preListener.option("port").map(l -> parsePort(l.firstToken())).orElse(1883);
        Listener d = new Listener(Listener.Kind.DEFAULT, defaultListenerCause, port, address);
        copyInto(d);
        return d;
    }

    private void copyInto(Listener target) {
        for (String key : LISTENER_OPTIONS) {
            preListener.option(key).ifPresent(target::put);
        }
        for (String key : SECURITY_OPTIONS) {
            preListener.securityOption(key).ifPresent(target::putSecurity);
        }
        preListener.plugins().forEach(target::add);
    }

    private List<String> read(Path file, boolean main) throws ConfigException {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(file + " cannot be linted: it is not a regular file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(file + " is not a Mosquitto configuration: it is larger than "
                        + MAX_BYTES / (1024 * 1024) + " MiB");
            }
            byte[] bytes = Files.readAllBytes(file);
            totalBytes += bytes.length;
            if (totalBytes > MAX_TOTAL_BYTES) {
                throw new ConfigException(file + " cannot be linted: the configuration's files together are larger"
                        + " than " + MAX_TOTAL_BYTES / (1024 * 1024) + " MiB");
            }
            for (byte b : bytes) {
                if (b == 0) {
                    throw new ConfigException(file + " is not a Mosquitto configuration: it is not text");
                }
            }
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return text.lines().toList();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + " is not a Mosquitto configuration: it is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(file + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private void readLines(Path file, List<String> text, boolean main) {
        for (int i = 0; i < text.size(); i++) {
            String raw = stripTrailing(text.get(i));
            if (raw.isEmpty() || raw.charAt(0) == '#') {
                continue;
            }
            int start = 0;
            while (start < raw.length() && raw.charAt(start) == ' ') {
                start++;
            }
            if (start == raw.length()) {
                continue;
            }
            int end = raw.indexOf(' ', start);
            String key = end < 0 ? raw.substring(start) : raw.substring(start, end);
            String value = "";
            if (end >= 0) {
                int v = end;
                while (v < raw.length() && (raw.charAt(v) == ' ' || raw.charAt(v) == '\t')) {
                    v++;
                }
                value = raw.substring(v);
            }
            ConfigLine line = new ConfigLine(file, i + 1, key, value);
            lines.add(line);
            handle(line, main);
        }
    }

    private void handle(ConfigLine line, boolean main) {
        String key = line.key();
        if (!known(key)) {
            fatal(line, "Mosquitto refuses to start: \"" + key + "\" is not a configuration option"
                    + (key.startsWith("#") ? " (a comment must start in the first column)" : "")
                    + (key.startsWith("\t") ? " (Mosquitto does not skip tabs before an option)" : ""));
            return;
        }
        if (BOOLEANS.contains(key) && !line.firstToken().equals("true") && !line.firstToken().equals("false")) {
            fatal(line, "Mosquitto refuses to start: " + key + " must be true or false");
            return;
        }
        switch (key) {
            case "listener" -> listener(line);
            case "port", "bind_address" -> {
                preListener.put(line);
                openDefault(line);
            }
            case "include_dir" -> includeDir(line, main);
            case "per_listener_settings" -> {
                boolean on = line.firstToken().equals("true");
                if (on && securitySeen) {
                    fatal(line, "Mosquitto refuses to start: per_listener_settings must be set before any other"
                            + " security option");
                }
                perListener = on;
                global.put(key, line);
            }
            case "auth_plugin", "plugin" -> {
                securitySeen = true;
                Plugin plugin = new Plugin(line);
                if (perListener) {
                    listenerScope().add(plugin);
                } else {
                    globalPlugins.add(plugin);
                }
                currentPlugin.put(scopeKey(), plugin);
            }
            case "global_plugin" -> {
                Plugin plugin = new Plugin(line);
                globalPlugins.add(plugin);
                currentPlugin.put(scopeKey(), plugin);
            }
            case "plugin_load" -> {
                Plugin plugin = new Plugin(line);
                currentPlugin.put(scopeKey(), plugin);
                global.put(key, line);
            }
            case "auth_plugin_deny_special_chars" -> {
                Plugin plugin = currentPlugin.get(scopeKey());
                if (plugin == null) {
                    fatal(line, "Mosquitto refuses to start: auth_plugin_deny_special_chars before any"
                            + " auth_plugin line");
                } else {
                    plugin.denySpecialChars(line);
                }
            }
            default -> {
                if (key.startsWith("auth_opt_") || key.startsWith("plugin_opt_")) {
                    Plugin plugin = currentPlugin.get(scopeKey());
                    if (plugin == null) {
                        fatal(line, "Mosquitto refuses to start: an " + key.substring(0, key.indexOf("_opt_") + 5)
                                + " option comes before any plugin line");
                    } else {
                        plugin.put(key.substring(key.indexOf("_opt_") + 5), line);
                    }
                } else if (SECURITY_OPTIONS.contains(key)) {
                    securitySeen = true;
                    if (perListener) {
                        listenerScope().putSecurity(line);
                    } else {
                        global.put(key, line);
                    }
                } else if (LISTENER_OPTIONS.contains(key)) {
                    listenerScope().put(line);
                    if (current == null && opensDefault(line)) {
                        openDefault(line);
                    }
                } else {
                    global.put(key, line);
                }
            }
        }
    }

    /** 2.0.11 opens the default listener for a listener option before any listener line, unless at its default. */
    private static boolean opensDefault(ConfigLine line) {
        return switch (line.key()) {
            case "protocol" -> !line.firstToken().equals("mqtt");
            case "max_connections" -> !line.firstToken().equals("-1");
            case "max_qos" -> !line.firstToken().equals("2");
            case "listener_allow_anonymous", "plugin_use", "accept_protocol_versions" -> false;
            default -> true;
        };
    }

    private void openDefault(ConfigLine line) {
        if (!defaultListenerOpened) {
            defaultListenerOpened = true;
            defaultListenerCause = line;
        }
    }

    private Listener listenerScope() {
        return current == null ? preListener : current;
    }

    private Object scopeKey() {
        return perListener ? listenerScope() : global;
    }

    private void listener(ConfigLine line) {
        String[] parts = line.value().split(" +", 3);
        int port = parts.length > 0 ? parsePort(parts[0]) : -1;
        if (port < 0) {
            fatal(line, "Mosquitto refuses to start: the listener's port must be a number from 0 to 65535");
            port = 0;
        }
        String address = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
        current = new Listener(Listener.Kind.EXPLICIT, line, port, address);
        explicit.add(current);
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            return p >= 0 && p <= 65535 ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void includeDir(ConfigLine line, boolean main) {
        if (!main) {
            problems.add(new MosquittoConfig.Problem(line, "Mosquitto ignores include_dir outside the main"
                    + " configuration file: nothing in " + line.value() + " is loaded", false));
            return;
        }
        Path dir = line.file().resolveSibling(line.value()).normalize();
        if (!Files.isDirectory(dir)) {
            fatal(line, "Mosquitto refuses to start: include_dir " + line.value() + " cannot be opened");
            return;
        }
        List<Path> confs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.conf")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    confs.add(p);
                }
            }
        } catch (IOException e) {
            fatal(line, "Mosquitto refuses to start: include_dir " + line.value() + " cannot be read");
            return;
        }
        confs.sort(Comparator.comparing(p -> p.getFileName().toString(), ConfigParser::mosquittoOrder));
        for (Path p : confs) {
            if (files.size() >= MAX_FILES) {
                fatal(line, "include_dir " + line.value() + " holds more than " + MAX_FILES + " files");
                return;
            }
            try {
                List<String> text = read(p, false);
                files.add(p);
                readLines(p, text, false);
            } catch (ConfigException e) {
                fatal(line, "Mosquitto refuses to start: " + e.getMessage());
            }
        }
    }

    /**
     * The order of include_dir's files in mosquitto.conf(5): case-sensitive alphabetical, the upper case of each
     * letter before the lower case of the same letter (00.conf, 01.conf, A.conf, a.conf, B.conf, b.conf).
     */
    static int mosquittoOrder(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x == y) {
                continue;
            }
            char lx = Character.toLowerCase(x);
            char ly = Character.toLowerCase(y);
            if (lx != ly) {
                return Character.compare(lx, ly);
            }
            return Character.isUpperCase(x) ? -1 : 1;
        }
        return Integer.compare(a.length(), b.length());
    }

    private static boolean known(String key) {
        return LISTENER_OPTIONS.contains(key) || SECURITY_OPTIONS.contains(key) || OTHER_OPTIONS.contains(key)
                || key.startsWith("bridge_") || (key.startsWith("auth_opt_") && key.length() > 9)
                || (key.startsWith("plugin_opt_") && key.length() > 11);
    }

    private void fatal(ConfigLine line, String message) {
        problems.add(new MosquittoConfig.Problem(line, message, true));
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}
