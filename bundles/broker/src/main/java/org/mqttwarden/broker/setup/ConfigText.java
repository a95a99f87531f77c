package org.mqttwarden.broker.setup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The text of the generated {@code mosquitto.conf} and {@code conf.d/go-auth.conf}: the reference configuration of
 * mosquitto-go-auth-conf/ (mosquitto.conf with go-auth-status-nosuperuser.conf) for one gateway, with its paths,
 * its warden-http settings and its caller key. Differences from the reference, and why:
 * <ul>
 * <li>no {@code per_listener_settings false}: deprecated in Mosquitto 2.1 and already the default;</li>
 * <li>{@code user} is the gateway's OS user, which owns the 0600 keys (the managed broker is its child process);
 * no {@code pid_file} (Mosquitto writes it only when it daemonizes, which a managed broker does not);</li>
 * <li>persistence, log and {@code include_dir} in the broker's folder, the log being what the log watcher reads;</li>
 * <li>the caller key header line written, not commented out, so go-auth's fork sends it.</li>
 * </ul>
 * Mosquitto reads a line as a comment only when {@code #} is its first character: comments stand on lines of their
 * own.
 */
final class ConfigText {

    private ConfigText() {
    }

    /** What the two files depend on. */
    record Inputs(Layout layout, String user, Path plugin, WardenHttp http, String key, OptionalInt plainPort,
            boolean requireCertificate) {

        @Override
        public String toString() {
            return "Inputs[" + layout + ", key ***]";
        }
    }

    static String mosquittoConf(Inputs in) {
        Layout l = in.layout();
        List<String> c = new ArrayList<>();
        c.add("# MQTT Warden: mosquitto.conf written by warden:broker-init for Mosquitto 2.0 (Debian bookworm's 2.0.11).");
        c.add("# The reference it follows, option by option, is mosquitto-go-auth-conf/mosquitto.conf. Authentication");
        c.add("# and ACLs come from Warden through go-auth, configured in conf.d/go-auth.conf. Check with");
        c.add("# warden:broker-lint " + l.mosquittoConf());
        c.add("");
        c.add("# No client gets in without a username and password that Warden accepts.");
        c.add("allow_anonymous false");
        c.add("");
        c.add("# Refuse empty client ids instead of inventing one: Warden's ACLs, its audit trail and this log key on it.");
        c.add("allow_zero_length_clientid false");
        c.add("");
        c.add("# Before delivering a retained message, check its publisher may still write there (the default).");
        c.add("check_retain_source true");
        c.add("");
        c.add("# The gateway's own OS user: it owns the keys below (mode 0600). Started as root, Mosquitto would drop");
        c.add("# to this user before reading them; started by the gateway, it already is this user.");
        c.add("user " + in.user());
        c.add("");
        c.add("# Retained messages, durable sessions and queued QoS 1/2 messages survive restarts.");
        c.add("persistence true");
        c.add("persistence_location " + l.data() + "/");
        c.add("autosave_interval 1800");
        c.add("# Forget durable sessions of clients that have not come back for 14 days.");
        c.add("persistent_client_expiration 14d");
        c.add("");
        c.add("# Limits: Mosquitto's defaults, written out, and packets of at most 1 MiB (MQTT allows 256 MiB).");
        c.add("max_inflight_messages 20");
        c.add("max_queued_messages 1000");
        c.add("queue_qos0_messages false");
        c.add("max_packet_size 1048576");
        c.add("");
        c.add("# The log the gateway watches (client addresses for audit rows and throttling, connection floods):");
        c.add("# connects with address, client id and username, disconnects and refusals, with epoch timestamps.");
        c.add("log_dest file " + l.log());
        c.add("log_type error");
        c.add("log_type warning");
        c.add("log_type notice");
        c.add("log_type information");
        c.add("connection_messages true");
        c.add("log_timestamp true");
        c.add("");
        c.add("# MQTT over TLS on 8883, all interfaces: the only listener reachable from the network.");
        c.add("listener 8883");
        c.add("protocol mqtt");
        c.add("certfile " + l.serverCert());
        c.add("keyfile " + l.serverKey());
        c.add("# The CA of warden:broker-client-cert, trusted for client certificates.");
        c.add("cafile " + l.caCert());
        c.add("# TLS 1.2 at least (a minimum in Mosquitto 2.x: 1.3 is accepted too).");
        c.add("tls_version tlsv1.2");
        if (in.requireCertificate()) {
            c.add("# Clients need a certificate from the CA above (warden:broker-client-cert) AND a Warden password.");
            c.add("require_certificate true");
        } else {
            c.add("# Clients authenticate with a Warden username and password; certificates are optional");
            c.add("# (broker-init --require-certificate makes them required).");
            c.add("require_certificate false");
        }
        c.add("# Must stay false: true takes the certificate's name as the username and skips Warden's login check.");
        c.add("use_identity_as_username false");
        in.plainPort().ifPresent(port -> {
            c.add("");
            c.add("# Plain MQTT for tools on this host only (loopback). Clients still log in through Warden, but their");
            c.add("# passwords cross the loopback interface in clear. Never bind it to another address.");
            c.add("listener " + port + " 127.0.0.1");
            c.add("protocol mqtt");
        });
        c.add("");
        c.add("# go-auth's options (conf.d/go-auth.conf). Last, as Mosquitto's documentation advises.");
        c.add("include_dir " + l.confD());
        return String.join("\n", c) + "\n";
    }

    static String goAuthConf(Inputs in) {
        WardenHttp h = in.http();
        List<String> c = new ArrayList<>();
        c.add("# MQTT Warden: go-auth options written by warden:broker-init, for go-auth's maintained fork");
        c.add("# lhns/mosquitto-go-auth (3.5.0). The reference is mosquitto-go-auth-conf/go-auth-status-nosuperuser.conf;");
        c.add("# response mode and paths are warden-http's (PID " + WardenHttp.PID + ") when this file was written.");
        c.add("# This file holds Warden's caller key: mode 0600, owned by the gateway's user. Mosquitto reads plugin");
        c.add("# options at start only: restart the broker after a change.");
        c.add("");
        c.add("# The plugin; must come before the auth_opt_ lines, which belong to the last plugin line.");
        c.add("auth_plugin " + in.plugin());
        c.add("# Mosquitto denies an ACL check itself when the username or client id holds '+' or '#' (CVE-2017-7650).");
        c.add("auth_plugin_deny_special_chars true");
        c.add("");
        c.add("# Only Warden's HTTP backend: nothing else can allow what Warden denies.");
        c.add("auth_opt_backends http");
        c.add("# Loopback: go-auth sends passwords in clear.");
        c.add("auth_opt_http_host " + h.goAuthHost());
        c.add("auth_opt_http_port " + h.port());
        c.add("auth_opt_http_getuser_uri " + h.pathUser());
        c.add("# Never called while disable_superuser is true; kept so that removing that line restores go-auth's default.");
        c.add("auth_opt_http_superuser_uri " + h.pathSuperuser());
        c.add("# One /acl call per ACL check instead of up to two: Warden's /acl allows superusers itself, so no");
        c.add("# decision changes. Must be exactly true.");
        c.add("auth_opt_disable_superuser true");
        c.add("auth_opt_http_aclcheck_uri " + h.pathAcl());
        c.add("auth_opt_http_with_tls false");
        c.add("# No effect without TLS; true so that turning TLS on later verifies Warden's certificate.");
        c.add("auth_opt_http_verify_peer true");
        c.add("# Must equal Warden's response.mode; go-auth reads anything but exactly json or text as status.");
        c.add("auth_opt_http_response_mode " + h.responseMode());
        c.add("auth_opt_http_params_mode json");
        c.add("auth_opt_http_method POST");
        c.add("# Warden's caller key (" + h.headerName() + ", the first line of " + h.keyFile() + "; a copy is in");
        c.add("# " + in.layout().apiKey() + "). Sent by the fork only; the archived original ignores the line.");
        c.add("# Warden refuses callers without it once auth.key.required = true in " + WardenHttp.PID + ".");
        c.add("auth_opt_http_header_" + h.headerName() + " " + in.key());
        c.add("# Whole seconds per request; keep above Warden's slowest /user answer (bcrypt).");
        c.add("auth_opt_http_timeout 2");
        c.add("auth_opt_retry_count 0");
        c.add("");
        c.add("# Cache off: its keys hold plaintext passwords and a cached allow outlives a Warden lockout. The values");
        c.add("# below apply only with auth_opt_cache true; keep them at 30 s or less.");
        c.add("auth_opt_cache false");
        c.add("auth_opt_cache_reset true");
        c.add("auth_opt_cache_refresh false");
        c.add("auth_opt_auth_cache_seconds 30");
        c.add("auth_opt_acl_cache_seconds 30");
        c.add("auth_opt_auth_jitter_seconds 0");
        c.add("auth_opt_acl_jitter_seconds 0");
        c.add("");
        c.add("# Errors and warnings only; never debug (it can log passwords). stderr: the managed broker's output.");
        c.add("auth_opt_log_level warn");
        c.add("auth_opt_log_dest stderr");
        return String.join("\n", c) + "\n";
    }
}
