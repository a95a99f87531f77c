package org.mqttwarden.broker.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The broker's files, from {@link BrokerConfig} and the gateway's folder. The layout broker-init writes and the
 * managed broker and log watcher read:
 * <pre>
 * &lt;broker.dir&gt;/mosquitto.conf           the broker's configuration (include_dir conf.d)
 *               conf.d/go-auth.conf       go-auth's options (http backend to this gateway)
 *               certs/ca.crt, ca.key      the CA (key 0600)
 *               certs/server.crt, .key    the TLS listener's certificate (key 0600)
 *               clients/&lt;name&gt;.crt, .key, .p12   client certificates (broker-client-cert)
 *               goauth-api-key            the go-auth caller key header value (0600), fork lhns only
 *               log/mosquitto.log         the broker's log (watched)
 *               data/                     the broker's persistence
 * </pre>
 */
public final class BrokerPaths {

    private static final List<String> MOSQUITTO = List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto",
            "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto");

    private final Path dir;
    private final BrokerConfig config;

    private BrokerPaths(Path dir, BrokerConfig config) {
        this.dir = dir;
        this.config = config;
    }

    /** @return the paths of {@code config}, relative ones under the gateway's folder ({@code karaf.home}) */
    public static BrokerPaths of(BrokerConfig config) {
        Path home = Path.of(System.getProperty("karaf.home", "."));
        String d = config.broker_dir().trim();
        return new BrokerPaths(home.resolve(d.isEmpty() ? "broker" : d).toAbsolutePath().normalize(), config);
    }

    public Path dir() {
        return dir;
    }

    public Path mosquittoConf() {
        return dir.resolve("mosquitto.conf");
    }

    public Path goAuthConf() {
        return dir.resolve("conf.d").resolve("go-auth.conf");
    }

    public Path certs() {
        return dir.resolve("certs");
    }

    public Path clients() {
        return dir.resolve("clients");
    }

    public Path apiKey() {
        return dir.resolve("goauth-api-key");
    }

    public Path data() {
        return dir.resolve("data");
    }

    /** @return the log file the watcher follows ({@code watch.log}, or the generated configuration's) */
    public Path log() {
        String l = config.watch_log().trim();
        return l.isEmpty() ? dir.resolve("log").resolve("mosquitto.log")
                : Path.of(System.getProperty("karaf.home", ".")).resolve(l).toAbsolutePath().normalize();
    }

    /** @return the go-auth plugin the configuration loads */
    public Path goAuthPlugin() {
        return Path.of(config.goauth_plugin().trim());
    }

    /** @return the mosquitto binary: the configured one, or the first installed one; empty when there is none */
    public Optional<Path> mosquitto() {
        String b = config.mosquitto_binary().trim();
        if (!b.isEmpty()) {
            return Optional.of(Path.of(b));
        }
        for (String candidate : MOSQUITTO) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Optional.of(Path.of(candidate));
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String p : path.split(java.io.File.pathSeparator)) {
                Path m = Path.of(p).resolve("mosquitto");
                if (!p.isEmpty() && Files.isExecutable(m)) {
                    return Optional.of(m);
                }
            }
        }
        return Optional.empty();
    }
}
