package org.mqttwarden.broker.setup;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.broker.config.BrokerPaths;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;

/**
 * broker-init and broker-client-cert for the shell: {@link BrokerSetup} with this gateway's settings. It takes two
 * PIDs, merged by DS: {@code org.mqttwarden.broker} ({@link BrokerConfig}: the folder and the go-auth plugin) and
 * warden-http's {@code org.mqttwarden.http} (read by name into {@link WardenHttp}, warden-http's defaults for what is
 * absent), so that the go-auth lines always match the listener as configured now, without a Configuration Admin
 * dependency. Both optional: a fresh gateway gets the defaults. Activation does nothing slow and logs nothing; a
 * bad warden-http value is reported when broker-init runs, not here.
 */
@Component(service = SetupService.class, configurationPid = {"org.mqttwarden.broker", WardenHttp.PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class SetupService {

    private record Settings(BrokerConfig broker, Map<String, Object> properties) {
    }

    private final BrokerSetup setup;
    private volatile Settings settings;

    @Activate
    public SetupService(BrokerConfig broker, Map<String, Object> properties) {
        this(broker, properties, Clock.systemUTC());
    }

    SetupService(BrokerConfig broker, Map<String, Object> properties, Clock clock) {
        this.setup = new BrokerSetup(clock);
        this.settings = new Settings(broker, new HashMap<>(properties));
    }

    @Modified
    void modified(BrokerConfig broker, Map<String, Object> properties) {
        settings = new Settings(broker, new HashMap<>(properties));
    }

    /** @return the configured broker folder (broker.dir), or {@code dir} resolved in the gateway's folder */
    public Layout layout(String dir) {
        if (dir == null || dir.isBlank()) {
            return new Layout(BrokerPaths.of(settings.broker()).dir());
        }
        return new Layout(Path.of(System.getProperty("karaf.home", ".")).resolve(dir.trim()));
    }

    /** @return the configured broker folder */
    public Path configuredDir() {
        return BrokerPaths.of(settings.broker()).dir();
    }

    /**
     * @return warden-http's settings as configured now
     * @throws SetupException when one of them cannot be given to go-auth
     */
    public WardenHttp http() throws SetupException {
        try {
            return WardenHttp.from(settings.properties());
        } catch (IllegalArgumentException e) {
            throw new SetupException(e.getMessage() + ".");
        }
    }

    /**
     * {@link BrokerSetup#init} with this gateway's plugin, warden-http settings and OS user. One setup change at a
     * time (two shells running broker-init at once must not interleave their renames into a mixed setup).
     */
    public synchronized BrokerSetup.Result init(String dir, List<String> hosts, List<String> addresses, Integer plainPort,
            boolean requireCertificate, boolean force) throws SetupException, IOException {
        Settings s = settings;
        BrokerSetup.InitRequest request = new BrokerSetup.InitRequest(layout(dir), hosts == null ? List.of() : hosts,
                addresses == null ? List.of() : addresses,
                plainPort == null ? OptionalInt.empty() : OptionalInt.of(plainPort), requireCertificate, force,
                BrokerPaths.of(s.broker()).goAuthPlugin(), http(), System.getProperty("user.name"));
        return setup.init(request);
    }

    /** {@link BrokerSetup#clientCert} in the configured broker folder. */
    public synchronized BrokerSetup.Result clientCert(String name, boolean force) throws SetupException, IOException {
        return setup.clientCert(layout(null), name, force);
    }
}
