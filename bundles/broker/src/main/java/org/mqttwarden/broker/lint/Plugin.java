package org.mqttwarden.broker.lint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An authentication plugin line ({@code auth_plugin}, {@code plugin}, {@code global_plugin}, {@code plugin_load})
 * with the {@code auth_opt_*} / {@code plugin_opt_*} lines Mosquitto attaches to it: those that follow it, up to
 * the next plugin line.
 */
public final class Plugin {

    private final ConfigLine declaredAt;
    private final Map<String, ConfigLine> options = new LinkedHashMap<>();
    private ConfigLine denySpecialChars;

    Plugin(ConfigLine declaredAt) {
        this.declaredAt = declaredAt;
    }

    /** @return its plugin line */
    public ConfigLine declaredAt() {
        return declaredAt;
    }

    /** @return the option without its prefix ({@code http_host} for {@code auth_opt_http_host}), the last given */
    public Optional<ConfigLine> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** @return every option by name without prefix */
    public Map<String, ConfigLine> options() {
        return Collections.unmodifiableMap(options);
    }

    /** @return its {@code auth_plugin_deny_special_chars} line; absent means Mosquitto's default, true */
    public Optional<ConfigLine> denySpecialChars() {
        return Optional.ofNullable(denySpecialChars);
    }

    /**
     * @return whether this is mosquitto-go-auth: its file is named go-auth*, or it has go-auth's required
     *     {@code backends} option
     */
    public boolean goAuth() {
        String path = declaredAt.value();
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return name.startsWith("go-auth") || name.startsWith("go_auth") || options.containsKey("backends");
    }

    void put(String name, ConfigLine line) {
        options.put(name, line);
    }

    void denySpecialChars(ConfigLine line) {
        denySpecialChars = line;
    }
}
