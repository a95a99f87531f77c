package org.mqttwarden.broker.watch;

import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.broker.config.BrokerPaths;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the broker's log ({@code watch.*} of PID {@code org.mqttwarden.broker}) while {@code watch.enabled}.
 * Registered as itself (an implementation class, not exported) with the configuration as service properties, so
 * that {@link LogAddressResolver} binds it only while {@code watch.enabled} is not false: a resolver that
 * answered nothing while watching is off would still be bound by the decision engine (greedy) and hide another
 * one, so then there is no {@code ClientAddressResolver} from this bundle at all.
 *
 * <p>Flood and protocol-error events are {@linkplain EventPublisher#offer offered}, not published: they are
 * observations after the fact that no decision waits for, and the follower's one thread must not stall behind a
 * sink's durable write while the log keeps growing (the resolver would fall behind with it).
 */
@Component(configurationPid = "org.mqttwarden.broker", immediate = true, service = BrokerWatch.class)
public final class BrokerWatch {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerWatch.class);

    private final AtomicReference<EventPublisher> publisher = new AtomicReference<>();
    private volatile LogWatch watch;

    @Activate
    public BrokerWatch(BrokerConfig config) {
        start(config);
    }

    /** @return the client's address as the log tells it (see {@link Connections#addressOf}), or null */
    public String addressOf(String clientId) {
        LogWatch w = watch;
        return w == null ? null : w.connections().addressOf(clientId);
    }

    /** @return the clients the log shows connected, client id to address; empty while watching is off */
    public Map<String, String> connectedClients() {
        LogWatch w = watch;
        return w == null ? Map.of() : w.connections().connectedClients();
    }

    @Modified
    synchronized void modified(BrokerConfig config) {
        stop();
        start(config);
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
    }

    /** warden-auth's event publisher, when present: without it the sensors count but tell nobody. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setPublisher(EventPublisher p) {
        publisher.set(p);
    }

    void unsetPublisher(EventPublisher p) {
        publisher.compareAndSet(p, null);
    }

    private synchronized void start(BrokerConfig config) {
        if (!config.watch_enabled()) {
            LOG.info("Broker log watching is off (watch.enabled false): client addresses stay unknown");
            return;
        }
        BrokerPaths paths = BrokerPaths.of(config);
        LogSensors.Thresholds thresholds = new LogSensors.Thresholds(Math.max(0, config.watch_flood_connections()),
                Math.max(0, config.watch_protocol_errors()), Math.max(1, config.watch_flood_window_seconds()));
        watch = new LogWatch(paths.log(), Clock.systemUTC(), thresholds, this::offer, ZoneId.systemDefault()).start();
        LOG.info("Watching the broker log {}{}", paths.log(),
                java.nio.file.Files.exists(paths.log()) ? "" : " (not there yet: read from its start once it is)");
    }

    private void stop() {
        LogWatch w = watch;
        watch = null;
        if (w != null) {
            w.close();
        }
    }

    private void offer(SecurityEvent event) {
        EventPublisher p = publisher.get();
        if (p != null) {
            p.offer(event);
        }
        LOG.info("Broker log: {} from {} ({} in {} s)", event.reason(), event.address(), event.detail().get("count"),
                event.detail().get("window_seconds"));
    }
}
