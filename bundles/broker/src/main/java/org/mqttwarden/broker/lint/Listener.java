package org.mqttwarden.broker.lint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A listener as Mosquitto 2.x starts it, with the options that apply to it: its own (certfile, protocol …) and,
 * under {@code per_listener_settings true}, its own security options (allow_anonymous, password_file, plugins …).
 */
public final class Listener {

    /** Where a listener comes from. */
    public enum Kind {
        /** A {@code listener} line. */
        EXPLICIT,
        /** The default listener of the deprecated {@code port} / {@code bind_address} options. */
        DEFAULT,
        /**
         * None configured: Mosquitto 2.x listens on port 1883 of the loopback interfaces only and, unless
         * {@code allow_anonymous} says otherwise, lets anonymous clients in (mosquitto.conf(5), allow_anonymous).
         */
        IMPLICIT
    }

    private final Kind kind;
    private final ConfigLine declaredAt;
    private final int port;
    private final String address;
    private final Map<String, ConfigLine> options = new LinkedHashMap<>();
    private final Map<String, ConfigLine> security = new LinkedHashMap<>();
    private final List<Plugin> plugins = new ArrayList<>();

    Listener(Kind kind, ConfigLine declaredAt, int port, String address) {
        this.kind = kind;
        this.declaredAt = declaredAt;
        this.port = port;
        this.address = address;
    }

    /** @return where it comes from */
    public Kind kind() {
        return kind;
    }

    /** @return its {@code listener} (or {@code port}) line; empty for the implicit listener */
    public Optional<ConfigLine> declaredAt() {
        return Optional.ofNullable(declaredAt);
    }

    /** @return its port (0 for a unix socket) */
    public int port() {
        return port;
    }

    /** @return the address, host name or socket path it binds to; empty for all interfaces */
    public Optional<String> address() {
        return Optional.ofNullable(address);
    }

    /** @return the listener's own option, the last one given */
    public Optional<ConfigLine> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    /** @return security options given for this listener under {@code per_listener_settings true} */
    public Optional<ConfigLine> securityOption(String key) {
        return Optional.ofNullable(security.get(key));
    }

    /** @return the plugins loaded for this listener only ({@code per_listener_settings true}, 2.1 plugin_use) */
    public List<Plugin> plugins() {
        return Collections.unmodifiableList(plugins);
    }

    /**
     * @return whether only this host can reach it: a loopback address, {@code localhost}, a unix socket, or
     *     {@code bind_interface lo}; a listener on all interfaces, another address or a host name is reachable
     *     from the network
     */
    public boolean loopbackOnly() {
        if (kind == Kind.IMPLICIT) {
            return true;
        }
        Optional<ConfigLine> iface = option("bind_interface");
        if (iface.isPresent() && iface.get().firstToken().equals("lo")) {
            return true;
        }
        if (address == null) {
            return false;
        }
        if (port == 0) {
            return true;
        }
        String a = address.toLowerCase(Locale.ROOT);
        return a.equals("localhost") || a.equals("::1") || a.equals("[::1]") || a.matches("127(\\.\\d{1,3}){3}")
                || a.equals("ip6-localhost");
    }

    /** @return whether certificate-based TLS is on: Mosquitto 2.x needs both certfile and keyfile */
    public boolean certificateTls() {
        return option("certfile").isPresent() && option("keyfile").isPresent();
    }

    /** @return whether TLS-PSK is on ({@code psk_hint}) */
    public boolean pskTls() {
        return option("psk_hint").isPresent();
    }

    /** @return the protocol, {@code mqtt} unless {@code protocol websockets} */
    public String protocol() {
        return option("protocol").map(ConfigLine::firstToken).orElse("mqtt");
    }

    /** @return a short name for messages: {@code listener 8883 on all interfaces} */
    public String describe() {
        String where = address == null ? "all interfaces" : (port == 0 ? "unix socket " : "") + address;
        return switch (kind) {
            case IMPLICIT -> "the implicit listener (no listener configured: port 1883 on loopback)";
            case DEFAULT -> "the default listener (port " + port + " on " + where + ")";
            case EXPLICIT -> "listener " + port + " on " + where;
        };
    }

    void put(ConfigLine line) {
        options.put(line.key(), line);
    }

    void putSecurity(ConfigLine line) {
        security.put(line.key(), line);
    }

    void add(Plugin plugin) {
        plugins.add(plugin);
    }
}
