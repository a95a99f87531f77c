package org.mqttwarden.broker.lint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Mosquitto configuration as {@link ConfigParser} read it: every option line in the order Mosquitto reads them
 * (the main file, then each {@code include_dir}'s files), the listeners Mosquitto 2.x will open, the global options
 * and plugins, and what Mosquitto itself would refuse.
 */
public final class MosquittoConfig {

    private final Path main;
    private final List<Path> files;
    private final List<ConfigLine> lines;
    private final List<Listener> listeners;
    private final Map<String, ConfigLine> global;
    private final List<Plugin> globalPlugins;
    private final boolean perListenerSettings;
    private final List<Problem> problems;

    /**
     * Something Mosquitto would refuse, or ignore, while reading the configuration.
     *
     * @param at the line
     * @param message what Mosquitto does with it, in one sentence
     * @param fatal whether Mosquitto refuses to start
     */
    public record Problem(ConfigLine at, String message, boolean fatal) {
    }

    MosquittoConfig(Path main, List<Path> files, List<ConfigLine> lines, List<Listener> listeners,
            Map<String, ConfigLine> global, List<Plugin> globalPlugins, boolean perListenerSettings,
            List<Problem> problems) {
        this.main = main;
        this.files = List.copyOf(files);
        this.lines = List.copyOf(lines);
        this.listeners = List.copyOf(listeners);
        this.global = Collections.unmodifiableMap(global);
        this.globalPlugins = List.copyOf(globalPlugins);
        this.perListenerSettings = perListenerSettings;
        this.problems = List.copyOf(problems);
    }

    /** @return the main file */
    public Path main() {
        return main;
    }

    /** @return every file read, main file first, in Mosquitto's order */
    public List<Path> files() {
        return files;
    }

    /** @return every option line, in the order Mosquitto reads them */
    public List<ConfigLine> lines() {
        return lines;
    }

    /** @return the listeners Mosquitto opens, including the default or implicit one */
    public List<Listener> listeners() {
        return listeners;
    }

    /** @return a global option (not listener-specific, and security options under per_listener_settings false) */
    public Optional<ConfigLine> global(String key) {
        return Optional.ofNullable(global.get(key));
    }

    /** @return plugins that apply to every listener */
    public List<Plugin> globalPlugins() {
        return globalPlugins;
    }

    /** @return whether {@code per_listener_settings true} is in force */
    public boolean perListenerSettings() {
        return perListenerSettings;
    }

    /** @return lines Mosquitto refuses or ignores */
    public List<Problem> problems() {
        return problems;
    }

    /**
     * @return the security option that applies to {@code listener}: its own under per_listener_settings true,
     *     the global one otherwise
     */
    public Optional<ConfigLine> security(Listener listener, String key) {
        return perListenerSettings ? listener.securityOption(key) : global(key);
    }

    /** @return the plugins that check clients of {@code listener} */
    public List<Plugin> plugins(Listener listener) {
        if (!perListenerSettings) {
            return globalPlugins;
        }
        List<Plugin> all = new ArrayList<>(globalPlugins);
        all.addAll(listener.plugins());
        return all;
    }

    /** @return every plugin, global or per listener */
    public List<Plugin> allPlugins() {
        LinkedHashSet<Plugin> all = new LinkedHashSet<>(globalPlugins);
        listeners.forEach(l -> all.addAll(l.plugins()));
        return List.copyOf(all);
    }
}
