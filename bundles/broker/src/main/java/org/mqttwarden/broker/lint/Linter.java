package org.mqttwarden.broker.lint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a Mosquitto 2.x configuration against what Warden needs and what Mosquitto's defaults do. Each rule has
 * a stable id (the {@code RULE_*} constants, documented with severity, reason and fix in bundles/broker/README.md);
 * findings come out sorted by file and line. A configuration Mosquitto refuses to start with is reported as
 * {@link #RULE_CONFIG_ERROR}, so a clean result also means Mosquitto 2.0 reads it.
 */
public final class Linter {

    public static final String RULE_CONFIG_ERROR = "config-error";
    public static final String RULE_INCLUDE_IGNORED = "include-dir-ignored";
    public static final String RULE_ANONYMOUS = "anonymous-allowed";
    public static final String RULE_NO_AUTH = "no-authentication";
    public static final String RULE_PLAINTEXT = "plaintext-listener-exposed";
    public static final String RULE_WEBSOCKETS = "websockets-without-tls";
    public static final String RULE_TLS_VERSION = "tls-version-too-old";
    public static final String RULE_TLS_FILE_MISSING = "tls-file-missing";
    public static final String RULE_TLS_FILE_UNREADABLE = "tls-file-unreadable";
    public static final String RULE_KEY_READABLE = "key-file-readable-by-others";
    public static final String RULE_SECRET_CONFIG_READABLE = "secret-config-readable-by-others";
    public static final String RULE_REQUIRE_CERT_NO_CA = "require-certificate-without-ca";
    public static final String RULE_IDENTITY_BYPASS = "identity-as-username-bypasses-warden";
    public static final String RULE_GOAUTH_PLAINTEXT = "goauth-remote-backend-plaintext";
    public static final String RULE_GOAUTH_UNVERIFIED = "goauth-tls-unverified";
    public static final String RULE_GOAUTH_CACHE = "goauth-cache-outlives-lockout";
    public static final String RULE_GOAUTH_MODE = "goauth-response-mode-mismatch";
    public static final String RULE_PLUGIN_MISSING = "plugin-file-missing";
    public static final String RULE_DEPRECATED = "deprecated-option";
    public static final String RULE_DUPLICATES_21 = "changed-default-duplicate-messages";
    public static final String RULE_SPECIAL_CHARS_21 = "changed-default-special-chars";

    /** go-auth's cache TTL when the option is absent (its README). */
    static final int GOAUTH_DEFAULT_TTL = 30;
    /** What a TTL of 0 turns into: go-cache's default 30 s (archived original), ttlcache's 60 s (fork). */
    static final int GOAUTH_ZERO_TTL = 60;

    private final LintOptions options;

    public Linter(LintOptions options) {
        this.options = options;
    }

    /** @return the findings for {@code config}, sorted by file (in reading order), line and rule */
    public List<Finding> lint(MosquittoConfig config) {
        List<Finding> out = new ArrayList<>();
        problems(config, out);
        for (Listener l : config.listeners()) {
            access(config, l, out);
            transport(config, l, out);
            tlsFiles(config, l, out);
            identity(config, l, out);
        }
        Set<Plugin> seen = new LinkedHashSet<>(config.allPlugins());
        for (Plugin p : seen) {
            pluginFile(p, out);
            if (p.goAuth()) {
                goAuth(p, out);
            }
        }
        deprecated(config, out);
        if (options.target().equals("2.1")) {
            changedDefaults(config, seen, out);
        }
        List<Path> order = config.files();
        out.sort(Comparator.<Finding>comparingInt(f -> order.indexOf(f.file())).thenComparingInt(Finding::line)
                .thenComparing(Finding::rule));
        return List.copyOf(out);
    }

    private static void problems(MosquittoConfig config, List<Finding> out) {
        for (MosquittoConfig.Problem p : config.problems()) {
            if (p.fatal()) {
                out.add(at(Severity.CRITICAL, RULE_CONFIG_ERROR, p.at(), p.message(),
                        "Mosquitto stops at start-up, or the listener does not open: clients cannot connect.",
                        "Correct the line (see mosquitto.conf(5)); `mosquitto -c <file>` shows the same error."));
            } else {
                out.add(at(Severity.INFO, RULE_INCLUDE_IGNORED, p.at(), p.message(),
                        "Options you expect to apply are not loaded.",
                        "Move include_dir to the main configuration file, or the options into a loaded file."));
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Who may connect
    // ----------------------------------------------------------------------------------------------------------

    private static void access(MosquittoConfig config, Listener l, List<Finding> out) {
        Optional<ConfigLine> perListener = l.option("listener_allow_anonymous");
        Optional<ConfigLine> anonLine = perListener.isPresent() ? perListener : config.security(l, "allow_anonymous");
        boolean anonymous = anonLine.map(a -> a.firstToken().equals("true"))
                .orElse(l.kind() == Listener.Kind.IMPLICIT);
        boolean auth = authenticates(config, l);
        if (!anonymous) {
            if (!auth) {
                out.add(listenerFinding(config, l, Severity.INFO, RULE_NO_AUTH, "No authentication applies to "
                                + l.describe() + " and anonymous clients are refused: it refuses every client.",
                        "Safe, but nobody can use it: usually go-auth's file is missing from include_dir.",
                        "Install go-auth's configuration (mosquitto-go-auth-conf/go-auth-*.conf as"
                                + " conf.d/go-auth.conf), or remove the listener."));
            }
            return;
        }
        if (anonLine.isEmpty()) {
            out.add(listenerFinding(config, l, Severity.INFO, RULE_ANONYMOUS,
                    "No listener is configured, so Mosquitto 2.x listens on port 1883 of the loopback interfaces"
                            + " and lets clients in without a username (allow_anonymous defaults to true only"
                            + " in this mode).",
                    "Any local process or user can publish and subscribe to every topic without credentials;"
                            + " remote hosts cannot connect.",
                    "Configure a listener with authentication (Warden's go-auth setup), or set allow_anonymous"
                            + " false if local tools need no anonymous access."));
            return;
        }
        Severity severity = l.loopbackOnly() ? Severity.WARNING : Severity.CRITICAL;
        String reach = l.loopbackOnly() ? "from this host" : "from the network";
        if (!auth) {
            out.add(at(severity, RULE_NO_AUTH, anonLine.get(), "No authentication applies to " + l.describe()
                            + " and anonymous clients are allowed: anyone who can reach it " + reach
                            + " gets in without credentials.",
                    "Without authentication no ACL can tell clients apart: every client may publish and subscribe"
                            + " to every topic (Mosquitto 2.x allows all topics when no ACL is configured).",
                    "Load go-auth with Warden's http backend (mosquitto-go-auth-conf/) and set allow_anonymous"
                            + " false."));
        } else {
            out.add(at(severity, RULE_ANONYMOUS, anonLine.get(), anonLine.get().key() + " true lets clients"
                            + " without a username into " + l.describe() + " " + reach
                            + ", beside those the authentication checks.",
                    "A client that sends no username skips the password check entirely (Warden is never asked"
                            + " for a login, so no lockout or audit row); only ACLs still stand between it and"
                            + " the topics.",
                    "Set " + anonLine.get().key() + " false."));
        }
    }

    /** @return whether some authentication applies to the listener's clients */
    private static boolean authenticates(MosquittoConfig config, Listener l) {
        return !config.plugins(l).isEmpty() || config.security(l, "password_file").isPresent()
                || (l.pskTls() && config.security(l, "psk_file").isPresent()) || requireCertificate(l)
                || l.option("plugin_use").isPresent() || config.global("plugin_load").isPresent();
    }

    private static boolean requireCertificate(Listener l) {
        return l.certificateTls() && l.option("require_certificate").map(r -> r.firstToken().equals("true"))
                .orElse(false);
    }

    // ----------------------------------------------------------------------------------------------------------
    // Transport
    // ----------------------------------------------------------------------------------------------------------

    private static void transport(MosquittoConfig config, Listener l, List<Finding> out) {
        boolean tls = l.certificateTls() || l.pskTls();
        Path file = l.declaredAt().map(ConfigLine::file).orElse(config.main());
        if (!tls) {
            String half = "";
            if (l.option("certfile").isPresent() != l.option("keyfile").isPresent()) {
                half = " It has " + (l.option("certfile").isPresent() ? "certfile without keyfile" : "keyfile"
                        + " without certfile") + ", which Mosquitto 2.x silently runs without TLS.";
            }
            String cause = l.kind() == Listener.Kind.DEFAULT
                    ? " Mosquitto opens it because of " + l.declaredAt().map(c -> c.key() + " at " + c.where())
                            .orElse("an option") + " before the first listener line."
                    : "";
            if (l.protocol().equals("websockets")) {
                if (!l.loopbackOnly()) {
                    out.add(listenerAt(l, file, Severity.CRITICAL, RULE_WEBSOCKETS, "The websockets "
                                    + l.describe() + " has no TLS and is reachable from the network." + half + cause,
                            "Usernames, passwords and every message cross the network in clear (ws://).",
                            "Add certfile and keyfile to it (wss://), or bind it to 127.0.0.1 behind a"
                                    + " TLS-terminating reverse proxy."));
                } else {
                    out.add(listenerAt(l, file, Severity.INFO, RULE_WEBSOCKETS, "The websockets " + l.describe()
                                    + " has no TLS; it is reachable from this host only.",
                            "Fine behind a TLS-terminating reverse proxy on this host; any local user can read"
                                    + " loopback traffic's passwords only with root rights.",
                            "Nothing, as long as it stays bound to loopback."));
                }
            } else if (!l.loopbackOnly()) {
                out.add(listenerAt(l, file, Severity.CRITICAL, RULE_PLAINTEXT, "The " + l.describe()
                                + " speaks plain MQTT (no TLS) and is reachable from the network." + half + cause,
                        "Usernames, passwords (which go-auth passes to Warden) and every message cross the"
                                + " network in clear: anyone on the path can read them and log in as the client.",
                        "Add certfile and keyfile (TLS on 8883, as Warden's generated mosquitto.conf does), or"
                                + " bind it to loopback: `listener 1883 127.0.0.1`."));
            }
            return;
        }
        l.option("tls_version").ifPresent(v -> {
            String version = v.firstToken();
            if (version.equals("tlsv1.1")) {
                out.add(at(Severity.WARNING, RULE_TLS_VERSION, v, "tls_version tlsv1.1 lets clients of "
                                + l.describe() + " use TLS 1.1.",
                        "TLS 1.0 and 1.1 are deprecated (RFC 8996): SHA-1/MD5 handshake hashes, no AEAD ciphers;"
                                + " a downgrade exposes the passwords the clients send.",
                        "Set tls_version tlsv1.2 (the minimum; 1.3 is still accepted), or remove the line:"
                                + " Mosquitto 2.x then allows 1.2 and 1.3."));
            } else if (!version.equals("tlsv1.2") && !version.equals("tlsv1.3")) {
                out.add(at(Severity.CRITICAL, RULE_TLS_VERSION, v, "tls_version " + version + " is not TLS 1.2 or"
                                + " newer; Mosquitto 2.0.11 refuses it (\"Unsupported tls_version\") and exits.",
                        "Clients cannot connect; older versions are deprecated (RFC 8996) anyway.",
                        "Set tls_version tlsv1.2."));
            }
        });
        if (l.certificateTls() && l.option("require_certificate").map(r -> r.firstToken().equals("true"))
                .orElse(false) && l.option("cafile").isEmpty() && l.option("capath").isEmpty()) {
            out.add(at(Severity.WARNING, RULE_REQUIRE_CERT_NO_CA, l.option("require_certificate").get(),
                    "require_certificate true on " + l.describe() + " without cafile or capath.",
                    "With no CA to verify client certificates against, Mosquitto refuses every client's"
                            + " certificate; pointing cafile at a public CA bundle to \"fix\" it would instead"
                            + " accept a certificate from any public CA.",
                    "Add cafile with the CA that issues your devices' certificates (warden:broker-client-cert)."));
        }
    }

    private void tlsFiles(MosquittoConfig config, Listener l, List<Finding> out) {
        String user = config.global("user").map(ConfigLine::firstToken).orElse("mosquitto");
        Optional<PosixAccess> access = PosixAccess.of(user, options.passwd(), options.group());
        for (String key : List.of("certfile", "keyfile", "cafile", "capath", "crlfile", "dhparamfile")) {
            Optional<ConfigLine> line = l.option(key);
            if (line.isEmpty() || !l.certificateTls()) {
                continue;
            }
            Path path = line.get().file().resolveSibling(line.get().value()).normalize();
            if (!PosixAccess.exists(path)) {
                out.add(at(Severity.CRITICAL, RULE_TLS_FILE_MISSING, line.get(), key + " " + line.get().value()
                                + " does not exist.",
                        "Mosquitto cannot load it and exits at start-up (2.0.11: \"Unable to load server"
                                + " certificate\"), or the listener never offers TLS.",
                        "Point " + key + " at the real file (warden:broker-init writes them), or create it."));
                continue;
            }
            if (access.isPresent() && !access.get().canRead(path)) {
                out.add(at(Severity.CRITICAL, RULE_TLS_FILE_UNREADABLE, line.get(), key + " " + line.get().value()
                                + " (mode " + PosixAccess.mode(path) + ") cannot be read by user " + user
                                + ", whom Mosquitto runs as.",
                        "Started as root, Mosquitto 2.x drops to its user before it loads certificates and keys,"
                                + " then exits with \"Permission denied\"; it re-reads them as that user on SIGHUP.",
                        "Make it readable by " + user + ": for a key, `chown root:" + user + "` and `chmod 0640`;"
                                + " for certificates, 0644; and every folder above it searchable by " + user + "."));
            } else if (access.isEmpty() && !Files.isReadable(path)) {
                out.add(at(Severity.CRITICAL, RULE_TLS_FILE_UNREADABLE, line.get(), key + " " + line.get().value()
                                + " cannot be read (user " + user + " is unknown on this machine, and this"
                                + " process cannot read it either).",
                        "Mosquitto exits at start-up when it cannot read a certificate or key.",
                        "Make it readable by the user Mosquitto runs as."));
            }
            if (key.equals("keyfile") && PosixAccess.readableByOthers(path)) {
                out.add(at(Severity.CRITICAL, RULE_KEY_READABLE, line.get(), "The private key " + line.get().value()
                                + " is readable by every user of this machine (mode " + PosixAccess.mode(path)
                                + ").",
                        "Any local account or compromised service can copy the server's private key and then"
                                + " impersonate the broker to every client, collecting their passwords.",
                        "chmod 0640 (or 0600) it, owned by root with group " + user + "."));
            }
        }
        l.option("psk_hint").ifPresent(h -> config.security(l, "psk_file").ifPresent(psk -> {
            Path path = psk.file().resolveSibling(psk.value()).normalize();
            if (PosixAccess.readableByOthers(path)) {
                out.add(at(Severity.CRITICAL, RULE_KEY_READABLE, psk, "The pre-shared key file " + psk.value()
                                + " is readable by every user of this machine (mode " + PosixAccess.mode(path) + ").",
                        "It holds the clients' TLS-PSK keys in clear: whoever reads it can connect as any client.",
                        "chmod 0640 (or 0600) it, owned by root with group " + user + "."));
            }
        }));
    }

    private static void identity(MosquittoConfig config, Listener l, List<Finding> out) {
        if (!requireCertificate(l) || config.plugins(l).stream().noneMatch(Plugin::goAuth)) {
            return;
        }
        for (String key : List.of("use_identity_as_username", "use_subject_as_username")) {
            l.option(key).filter(o -> o.firstToken().equals("true")).ifPresent(o -> out.add(at(Severity.WARNING,
                    RULE_IDENTITY_BYPASS, o, key + " true on " + l.describe() + ": Mosquitto takes the client"
                            + " certificate's name as the username and skips the password check.",
                    "go-auth's /user call never happens, so Warden's login checks, lockout and login audit do not"
                            + " apply to this listener; any certificate the CA issues is a login.",
                    "Set " + key + " false: clients then present a certificate and a Warden password.")));
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // go-auth (mosquitto-go-auth, http backend to Warden)
    // ----------------------------------------------------------------------------------------------------------

    private void goAuth(Plugin p, List<Finding> out) {
        boolean http = p.option("backends").map(b -> List.of(b.value().replace(" ", "").split(",")).contains("http"))
                .orElse(false);
        secretFiles(p, out);
        if (http) {
            Optional<ConfigLine> host = p.option("http_host");
            boolean tls = p.option("http_with_tls").map(t -> t.value().equals("true")).orElse(false);
            if (host.isPresent() && !loopbackHost(host.get().value()) && !tls) {
                out.add(at(Severity.CRITICAL, RULE_GOAUTH_PLAINTEXT, host.get(), "go-auth calls its http backend at "
                                + host.get().value() + ", not on loopback, over plain HTTP"
                                + " (auth_opt_http_with_tls is not exactly \"true\").",
                        "Every login's username and password, and every ACL check, crosses the network in clear"
                                + " to Warden.",
                        "Run Warden on this host and set auth_opt_http_host 127.0.0.1 (Warden's default), or set"
                                + " auth_opt_http_with_tls true and auth_opt_http_verify_peer true."));
            }
            if (tls && !p.option("http_verify_peer").map(v -> v.value().equals("true")).orElse(false)) {
                ConfigLine where = p.option("http_verify_peer").orElse(p.option("http_with_tls").get());
                out.add(at(Severity.WARNING, RULE_GOAUTH_UNVERIFIED, where, "go-auth uses HTTPS to its backend"
                                + " without checking the server certificate (auth_opt_http_verify_peer is not"
                                + " exactly \"true\").",
                        "go-auth accepts any certificate: a machine in the middle reads the passwords and can"
                                + " answer \"allow\" to everything.",
                        "Set auth_opt_http_verify_peer true."));
            }
            responseMode(p, out);
        }
        cache(p, out);
    }

    private static void pluginFile(Plugin p, List<Finding> out) {
        ConfigLine line = p.declaredAt();
        if (line.key().equals("plugin_load")) {
            return;
        }
        Path path = line.file().resolveSibling(line.value()).normalize();
        if (!Files.isRegularFile(path)) {
            out.add(at(Severity.CRITICAL, RULE_PLUGIN_MISSING, line, "The plugin " + line.value()
                            + " does not exist.",
                    "Mosquitto refuses to start when it cannot load a plugin (\"Unable to load plugin\"); with"
                            + " go-auth missing, no client can log in through Warden.",
                    "Install the plugin at that path (mosquitto-go-auth-conf/README.md, \"Build go-auth\"), or"
                            + " correct the path."));
        }
    }

    private static void secretFiles(Plugin p, List<Finding> out) {
        Set<Path> reported = new LinkedHashSet<>();
        for (ConfigLine line : p.options().values()) {
            if (line.key().startsWith("auth_opt_http_header_") && PosixAccess.readableByOthers(line.file())
                    && reported.add(line.file())) {
                out.add(at(Severity.CRITICAL, RULE_SECRET_CONFIG_READABLE, line, line.file().getFileName()
                                + " holds a static request header for Warden (" + line.key() + ") and is readable"
                                + " by every user of this machine (mode " + PosixAccess.mode(line.file()) + ").",
                        "The header carries Warden's caller key: whoever reads it can call Warden's /user as if"
                                + " they were go-auth, and use it as a password oracle.",
                        "chown root:mosquitto and chmod 0640 the file."));
            }
        }
    }

    private void responseMode(Plugin p, List<Finding> out) {
        Optional<ConfigLine> line = p.option("http_response_mode");
        String raw = line.map(ConfigLine::value).orElse("status");
        String effective = raw.equals("json") || raw.equals("text") ? raw : "status";
        ConfigLine where = line.orElse(p.declaredAt());
        String warden = options.wardenResponseMode();
        if (!raw.equals("status") && !raw.equals(effective)) {
            out.add(at(Severity.WARNING, RULE_GOAUTH_MODE, where, "auth_opt_http_response_mode \"" + raw
                            + "\" is not exactly status, json or text; go-auth silently reads it as status.",
                    "The file says one thing and go-auth does another; the next person to edit it will be misled.",
                    "Write exactly status, json or text (the same as Warden's response.mode)."));
        }
        if (effective.equals(warden)) {
            return;
        }
        if (effective.equals("status")) {
            out.add(at(Severity.INFO, RULE_GOAUTH_MODE, where, "go-auth reads answers as status while Warden's"
                            + " response.mode is " + warden + ".",
                    "It works (Warden allows with 200 and denies with 403 in every mode), but the two files"
                            + " disagree.",
                    "Set auth_opt_http_response_mode " + warden + ", or Warden's response.mode to status."));
        } else {
            out.add(at(Severity.CRITICAL, RULE_GOAUTH_MODE, where, "go-auth expects " + effective + " answers but"
                            + " Warden's response.mode is " + warden + ".",
                    effective.equals("json")
                            ? "Every allow becomes an error (Warden's body is not JSON): every client is dropped."
                            : "Every allow becomes a deny (Warden's body is not \"ok\"): no client can log in.",
                    "Set auth_opt_http_response_mode " + warden + " (Warden's response.mode, PID"
                            + " org.mqttwarden.http)."));
        }
    }

    private void cache(Plugin p, List<Finding> out) {
        Optional<ConfigLine> on = p.option("cache").filter(c -> c.value().equals("true"));
        if (on.isEmpty()) {
            return;
        }
        int lockout = options.lockoutSeconds();
        Optional<ConfigLine> refresh = p.option("cache_refresh").filter(r -> r.value().equals("true"));
        if (refresh.isPresent()) {
            out.add(at(Severity.WARNING, RULE_GOAUTH_CACHE, refresh.get(), "auth_opt_cache_refresh true pushes"
                            + " a cache entry's expiry back on every hit.",
                    "A login or ACL allow in steady use never expires: a Warden lockout or revocation never"
                            + " reaches that client.",
                    "Set auth_opt_cache_refresh false."));
        }
        for (String kind : List.of("auth", "acl")) {
            Optional<ConfigLine> ttl = p.option(kind + "_cache_seconds");
            Optional<ConfigLine> jitter = p.option(kind + "_jitter_seconds");
            long seconds = ttl.map(t -> seconds(t.value())).orElse((long) GOAUTH_DEFAULT_TTL);
            String shown;
            if (seconds < 0) {
                seconds = Long.MAX_VALUE;
                shown = "never (a negative TTL)";
            } else {
                if (seconds == 0) {
                    seconds = GOAUTH_ZERO_TTL;
                }
                long j = jitter.map(t -> seconds(t.value())).orElse(0L);
                if (j > 0) {
                    seconds += Math.min(j, seconds);
                }
                shown = seconds + " s";
            }
            if (seconds > lockout) {
                ConfigLine where = ttl.orElse(on.get());
                out.add(at(Severity.WARNING, RULE_GOAUTH_CACHE, where, "go-auth caches " + kind + " answers for "
                                + shown + " (TTL plus jitter; 0 means the cache's own default), longer than"
                                + " Warden's lockout of " + lockout + " s.",
                        kind.equals("auth")
                                ? "A login allowed before a lock keeps being allowed from the cache for longer than"
                                        + " the lock lasts: the lockout never takes effect for that password."
                                : "A revoked ACL right (or a locked account's) keeps working from the cache for"
                                        + " longer than a lock lasts.",
                        "Set auth_opt_" + kind + "_cache_seconds to 30 or less (and the jitter to 0), or turn the"
                                + " cache off (auth_opt_cache false), as Warden's generated configuration does."));
            }
        }
    }

    private static long seconds(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return GOAUTH_DEFAULT_TTL;
        }
    }

    private static boolean loopbackHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.matches("127(\\.\\d{1,3}){3}");
    }

    // ----------------------------------------------------------------------------------------------------------
    // Versions
    // ----------------------------------------------------------------------------------------------------------

    private static void deprecated(MosquittoConfig config, List<Finding> out) {
        for (ConfigLine line : config.lines()) {
            switch (line.key()) {
                case "password_file", "acl_file" -> out.add(at(Severity.INFO, RULE_DEPRECATED, line,
                        line.key() + " is deprecated in Mosquitto 2.1 and will be removed in 3.0.",
                        "A configuration using it stops working on Mosquitto 3.0; 2.1 also exits on invalid input"
                                + " in it when reloading.",
                        "With Warden, authentication and ACLs come from go-auth: remove it; otherwise, on 2.1, use"
                                + " the " + (line.key().equals("acl_file") ? "acl-file" : "password-file")
                                + " plugin."));
                case "per_listener_settings" -> out.add(at(Severity.INFO, RULE_DEPRECATED, line,
                        "per_listener_settings is deprecated in Mosquitto 2.1 and will be removed in 3.0.",
                        "A configuration using it, even set to its default false, stops working on Mosquitto 3.0.",
                        line.firstToken().equals("false")
                                ? "Remove the line: false is the default in 2.0 and 2.1."
                                : "On 2.1, use listener_allow_anonymous, listener_auto_id_prefix, global_plugin or"
                                        + " plugin_load/plugin_use instead."));
                case "port", "bind_address" -> out.add(at(Severity.INFO, RULE_DEPRECATED, line,
                        line.key() + " is deprecated since Mosquitto 2.0 (mosquitto.conf(5)).",
                        "It configures the default listener, which is easy to misread; it will be removed.",
                        "Use `listener <port> <address>`."));
                case "allow_duplicate_messages" -> out.add(at(Severity.INFO, RULE_DEPRECATED, line,
                        "allow_duplicate_messages is deprecated (mosquitto.conf(5) of 2.0.11).",
                        "It will be removed; Mosquitto 2.1 already defaults to true.",
                        "Remove the line once clients tolerate duplicate deliveries."));
                default -> {
                }
            }
        }
    }

    private static void changedDefaults(MosquittoConfig config, Set<Plugin> plugins, List<Finding> out) {
        if (config.lines().stream().noneMatch(l -> l.key().equals("allow_duplicate_messages"))) {
            out.add(new Finding(Severity.INFO, RULE_DUPLICATES_21, config.main(), 0,
                    "allow_duplicate_messages is not set: Mosquitto 2.1 defaults it to true (2.0's code used false).",
                    "On 2.1 a client whose subscriptions overlap (a/# and a/+/c) receives a matching message once"
                            + " per subscription, and each copy is one more ACL check, i.e. one more call to Warden.",
                    "Make clients tolerate duplicates (also at QoS 2) and avoid overlapping subscriptions; the"
                            + " deprecated option can keep 2.0's behaviour until it is removed."));
        }
        for (Plugin p : plugins) {
            boolean deny = p.denySpecialChars().map(d -> d.firstToken().equals("true")).orElse(true);
            if (deny) {
                ConfigLine where = p.denySpecialChars().orElse(p.declaredAt());
                out.add(at(Severity.INFO, RULE_SPECIAL_CHARS_21, where, "On Mosquitto 2.1, with"
                                + " auth_plugin_deny_special_chars true (the default), an ACL check for a client"
                                + " whose id contains '/' is refused before the plugin is asked, as '+' and '#'"
                                + " already are in 2.0.",
                        "Devices with such client ids still connect but every publish and subscribe is denied"
                                + " (\"ACL denying access to client with dangerous client id\"), and Warden never"
                                + " sees those checks.",
                        "Give devices client ids without '/', '+' or '#'. Keep the option true: it protects"
                                + " pattern ACLs (CVE-2017-7650)."));
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------

    private static Finding at(Severity s, String rule, ConfigLine line, String message, String why, String fix) {
        return new Finding(s, rule, line.file(), line.line(), message, why, fix);
    }

    private static Finding listenerFinding(MosquittoConfig config, Listener l, Severity s, String rule,
            String message, String why, String fix) {
        return l.declaredAt().map(d -> at(s, rule, d, message, why, fix))
                .orElseGet(() -> new Finding(s, rule, config.main(), 0, message, why, fix));
    }

    private static Finding listenerAt(Listener l, Path fallback, Severity s, String rule, String message, String why,
            String fix) {
        return l.declaredAt().map(d -> at(s, rule, d, message, why, fix))
                .orElseGet(() -> new Finding(s, rule, fallback, 0, message, why, fix));
    }
}
