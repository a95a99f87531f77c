package org.mqttwarden.broker.watch;

import java.time.Clock;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.metrics.MetricSource;
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
 * <p>Its counters, {@code /metrics} {@code warden_broker_log_*}, say what the watcher reads and what it drops:
 * {@code lines}, {@code skipped_bytes} (a backlog beyond 4 MiB jumped over), {@code cut_lines} (over 4 KiB),
 * {@code rotations}, {@code truncations}, {@code catch_ups} (first logins that read the log's newest bytes on
 * the caller's thread, see {@link LogWatch#addressOf}), {@code pending_dropped} (beyond 4096 pending connections), the resolver's
 * answers ({@code answers_connected}, {@code answers_pending}, {@code answers_ambiguous}, {@code answers_unknown})
 * and {@code events}.
 *
 * <p>Flood and protocol-error events are {@linkplain EventPublisher#offer offered}, not published: they are
 * observations after the fact that no decision waits for, and the follower's one thread must not stall behind a
 * sink's durable write while the log keeps growing (the resolver would fall behind with it).
 */
@Component(configurationPid = "org.mqttwarden.broker", immediate = true,
        service = {BrokerWatch.class, MetricSource.class})
public final class BrokerWatch implements MetricSource {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerWatch.class);

    private final AtomicReference<EventPublisher> publisher = new AtomicReference<>();
    private volatile LogWatch watch;
    /** The counts of the watchers stopped before, so that the counters never go down. */
    private final Map<String, Long> carried = new LinkedHashMap<>();

    @Activate
    public BrokerWatch(BrokerConfig config) {
        start(config);
    }

    /** @return the client's address as the log tells it (see {@link Connections#addressOf}), or null */
    public String addressOf(String clientId) {
        LogWatch w = watch;
        return w == null ? null : w.addressOf(clientId);
    }

    /** @return the watcher at work, or null while watching is off (for tests) */
    LogWatch current() {
        return watch;
    }

    /** @return the clients the log shows connected, client id to address; empty while watching is off */
    public Map<String, String> connectedClients() {
        LogWatch w = watch;
        return w == null ? Map.of() : w.connections().connectedClients();
    }

    /**
     * Applies a new configuration: new thresholds apply to the watcher as it is (the clients it knows stay known);
     * another log file, or watching switched on or off, replaces it.
     */
    @Modified
    synchronized void modified(BrokerConfig config) {
        LogWatch w = watch;
        if (w != null && config.watch_enabled() && w.log().equals(BrokerPaths.of(config).log())) {
            carried.merge("events", w.sensors().raised.sum(), Long::sum);
            w.thresholds(thresholds(config));
            return;
        }
        stop();
        start(config);
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
    }

    /** @return {@code broker_log}: on {@code /metrics} the counters are {@code warden_broker_log_<name>_total} */
    @Override
    public String name() {
        return "broker_log";
    }

    @Override
    public synchronized Map<String, Long> counters() {
        Map<String, Long> c = current(watch);
        carried.forEach((k, v) -> c.merge(k, v, Long::sum));
        return c;
    }

    /** @return the counts of one watcher (a new one starts at zero when the configuration changes) */
    private static Map<String, Long> current(LogWatch w) {
        Map<String, Long> c = new LinkedHashMap<>();
        LogFollower f = w == null ? null : w.follower();
        c.put("lines", f == null ? 0 : f.lines.sum());
        c.put("skipped_bytes", f == null ? 0 : f.skippedBytes.sum());
        c.put("cut_lines", f == null ? 0 : f.cutLines.sum());
        c.put("rotations", f == null ? 0 : f.rotations.sum());
        c.put("truncations", f == null ? 0 : f.truncations.sum());
        c.put("catch_ups", f == null ? 0 : f.catchUps.sum());
        Connections k = w == null ? null : w.connections();
        c.put("pending_dropped", k == null ? 0 : k.pendingDropped.sum());
        c.put("answers_connected", k == null ? 0 : k.fromConnected.sum());
        c.put("answers_pending", k == null ? 0 : k.fromPending.sum());
        c.put("answers_ambiguous", k == null ? 0 : k.ambiguous.sum());
        c.put("answers_unknown", k == null ? 0 : k.unknown.sum());
        c.put("events", w == null ? 0 : w.sensors().raised.sum());
        return c;
    }

    /** @return {@code connected_clients}, {@code pending_connections} */
    @Override
    public Map<String, Long> gauges() {
        LogWatch w = watch;
        return w == null ? Map.of("connected_clients", 0L, "pending_connections", 0L)
                : Map.of("connected_clients", (long) w.connections().connectedClients().size(),
                        "pending_connections", (long) w.connections().pendingAddresses().size());
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
        watch = new LogWatch(paths.log(), Clock.systemUTC(), thresholds(config), this::offer, ZoneId.systemDefault())
                .start();
        LOG.info("Watching the broker log {}{}", paths.log(),
                java.nio.file.Files.exists(paths.log()) ? "" : " (not there yet: read from its start once it is)");
    }

    private static LogSensors.Thresholds thresholds(BrokerConfig config) {
        return new LogSensors.Thresholds(Math.max(0, config.watch_flood_connections()),
                Math.max(0, config.watch_protocol_errors()), Math.max(1, config.watch_flood_window_seconds()));
    }

    private void stop() {
        LogWatch w = watch;
        watch = null;
        if (w != null) {
            Map<String, Long> last = current(w);
            w.close();
            last.forEach((k, v) -> carried.merge(k, v, Long::sum));
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
