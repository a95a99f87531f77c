package org.mqttwarden.broker.run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.mqttwarden.api.text.Printable;
import org.mqttwarden.broker.config.BrokerPaths;
import org.mqttwarden.broker.lint.ConfigException;
import org.mqttwarden.broker.lint.ConfigLine;
import org.mqttwarden.broker.lint.ConfigParser;
import org.mqttwarden.broker.lint.Finding;
import org.mqttwarden.broker.lint.LintOptions;
import org.mqttwarden.broker.lint.Linter;
import org.mqttwarden.broker.lint.Listener;
import org.mqttwarden.broker.lint.MosquittoConfig;
import org.mqttwarden.broker.lint.Plugin;
import org.mqttwarden.broker.lint.Severity;

/**
 * What is checked before Mosquitto is started, so that a broker that cannot work is refused with one sentence
 * saying what to do, instead of started to die (and be restarted, and die) with the reason buried in its output:
 * a configuration, a mosquitto binary, every plugin the configuration loads (go-auth above all), no CRITICAL
 * lint finding unless forced, and every listener's port free. Only the lint findings can be overridden: the other
 * refusals are things Mosquitto itself cannot start with.
 */
final class Preflight {

    /** What to start: the binary, the configuration and the folder it runs in. */
    record Launch(Path mosquitto, Path conf, Path dir) {
    }

    private final LintOptions lintOptions;

    Preflight(LintOptions lintOptions) {
        this.lintOptions = lintOptions;
    }

    /**
     * @param force start despite CRITICAL lint findings
     * @return what to start
     * @throws BrokerRefusedException the first reason not to start, in one sentence
     */
    Launch check(BrokerPaths paths, boolean force) throws BrokerRefusedException {
        Path conf = paths.mosquittoConf();
        if (!Files.isRegularFile(conf)) {
            throw new BrokerRefusedException("There is no broker configuration at " + show(conf)
                    + ": run warden:broker-init to write one.");
        }
        Optional<Path> binary = paths.mosquitto().filter(Files::isExecutable);
        if (binary.isEmpty()) {
            throw new BrokerRefusedException("Mosquitto is not installed here (" + paths.mosquitto()
                    .map(b -> show(b) + " is not an executable file").orElse("no mosquitto binary in /usr/sbin,"
                            + " /usr/bin, /usr/local or on the PATH")
                    + "): run apt-get install mosquitto, or set mosquitto.binary in etc/org.mqttwarden.broker.cfg.");
        }
        MosquittoConfig config;
        try {
            config = ConfigParser.parse(conf);
        } catch (ConfigException e) {
            throw new BrokerRefusedException("The broker configuration cannot be used: "
                    + Printable.escape(e.getMessage()) + ".");
        }
        plugins(config);
        List<Finding> critical = new Linter(lintOptions).lint(config).stream()
                .filter(f -> f.severity() == Severity.CRITICAL).toList();
        if (!critical.isEmpty() && !force) {
            Finding first = critical.get(0);
            throw new BrokerRefusedException("The broker configuration has " + critical.size() + " critical lint"
                    + " finding" + (critical.size() == 1 ? "" : "s") + " (first: " + show(first.where()) + " ["
                    + first.rule() + "] " + Printable.escape(first.message()) + "): fix "
                    + (critical.size() == 1 ? "it" : "them") + " (warden:broker-lint " + show(conf)
                    + " shows all) or start with --force.");
        }
        for (Listener l : config.listeners()) {
            port(l);
        }
        return new Launch(binary.get(), conf, paths.dir());
    }

    /** Refuses a plugin file that is missing: Mosquitto would exit with "Unable to load plugin". */
    private static void plugins(MosquittoConfig config) throws BrokerRefusedException {
        for (Plugin p : config.allPlugins()) {
            ConfigLine line = p.declaredAt();
            if (line.key().equals("plugin_load")) {
                continue;
            }
            Path file = line.file().resolveSibling(line.value()).normalize();
            if (Files.isRegularFile(file)) {
                continue;
            }
            if (p.goAuth()) {
                throw new BrokerRefusedException("The go-auth plugin " + show(file) + " that " + show(line.where())
                        + " loads is not installed: build and install it as mosquitto-go-auth-conf/README.md"
                        + " (\"Build go-auth\") describes, or point goauth.plugin at it and run warden:broker-init"
                        + " --force.");
            }
            throw new BrokerRefusedException("The plugin " + show(file) + " that " + show(line.where())
                    + " loads does not exist, and Mosquitto does not start without it: install it or correct the"
                    + " line.");
        }
    }

    /** Refuses a listener whose port another program holds (bound the way Mosquitto binds it). */
    private static void port(Listener l) throws BrokerRefusedException {
        if (l.port() <= 0) {
            return;
        }
        List<InetAddress> addresses;
        try {
            addresses = l.kind() == Listener.Kind.IMPLICIT ? List.of(InetAddress.getLoopbackAddress())
                    : l.address().isEmpty() ? List.of() : List.of(InetAddress.getAllByName(l.address().get()));
        } catch (UnknownHostException e) {
            return; // Mosquitto says so itself; not a port in use
        }
        if (addresses.isEmpty()) {
            if (!free(new InetSocketAddress(l.port()))) {
                throw portTaken(l);
            }
            return;
        }
        for (InetAddress a : addresses) {
            if (!free(new InetSocketAddress(a, l.port()))) {
                throw portTaken(l);
            }
        }
    }

    private static BrokerRefusedException portTaken(Listener l) {
        return new BrokerRefusedException("Port " + l.port() + " is already in use (" + show(l.describe())
                + l.declaredAt().map(d -> ", " + show(d.where())).orElse("") + "): stop the program that holds it"
                + " (another broker?) or change the listener.");
    }

    private static boolean free(InetSocketAddress address) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(address);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @return the configuration's lint summary for the status: "clean", or the counts by severity and the rules
     *     of the critical findings; or why it cannot be linted
     */
    String lintSummary(Path conf) {
        if (!Files.isRegularFile(conf)) {
            return "no configuration at " + show(conf) + " (warden:broker-init writes one)";
        }
        List<Finding> findings;
        try {
            findings = new Linter(lintOptions).lint(ConfigParser.parse(conf));
        } catch (ConfigException e) {
            return Printable.escape(e.getMessage());
        }
        if (findings.isEmpty()) {
            return "clean";
        }
        Map<Severity, Long> counts = new EnumMap<>(Severity.class);
        findings.forEach(f -> counts.merge(f.severity(), 1L, Long::sum));
        String summary = counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().name().toLowerCase())
                .collect(Collectors.joining(", "));
        String critical = findings.stream().filter(f -> f.severity() == Severity.CRITICAL).map(Finding::rule)
                .distinct().collect(Collectors.joining(", "));
        return summary + (critical.isEmpty() ? "" : " (critical: " + critical + ")")
                + "; warden:broker-lint " + show(conf) + " shows them";
    }

    private static String show(Object o) {
        return Printable.escape(String.valueOf(o));
    }
}
