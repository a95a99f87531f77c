package org.mqttwarden.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.http.Metrics.Endpoint;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.HttpString;

/**
 * The HTTP backend Mosquitto's go-auth plugin calls. Owns its listener, its IO threads and its two
 * bounded decision lanes; a configuration change restarts them all (DS reactivates the component),
 * leaving the rest of the gateway running.
 *
 * <p>What a client can hold is bounded: {@code max.connections} open at once, {@code parse.timeout.ms}
 * to send the headers, {@code body.timeout.ms} to send the body, {@code idle.timeout.ms} between
 * requests on a kept-alive connection. None of these holds a decision thread: one is taken only once
 * the whole request is in. The listener is assembled from XNIO and Undertow's HTTP/1.1 open listener
 * (as {@link Undertow#start()} does) so that the connection cap can stand before it.
 *
 * <p>Who may call is {@link CallerConfig}'s (same PID): a key in a header and/or given OS users,
 * both off by default; a caller refused gets 403 on every path but {@code /health}.
 *
 * <p>{@code /health} answers 200 only once the gateway is ready ({@link GatewayChecks}: boot features,
 * bundles, DS components, the first start, the shell's SSH port), found out by a thread of its own
 * every 250 ms until then; go-auth's endpoints are served from the start.
 */
@Component(service = GoAuthServer.class, immediate = true, configurationPid = "org.mqttwarden.http")
@Designate(ocd = HttpConfig.class)
public final class GoAuthServer {

    private static final Logger LOG = LoggerFactory.getLogger(GoAuthServer.class);
    /** Direct buffers of Undertow's size for a heap of 128 MB or more. */
    private static final int BUFFER_SIZE = 16 * 1024 - 20;
    /** New connections that may wait for their OS user to be looked up; beyond, 503. */
    private static final int PEER_QUEUE = 64;
    /** An HTTP header name that Go's client sends as written (a token of letters, digits and '-'). */
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

    private final Lane fast;
    private final Lane slow;
    /** Looks up the OS users of new connections; null when they are not checked. */
    private final Lane peer;
    private final List<Lane> lanes;
    private final StoreProbe store;
    private final XnioWorker worker;
    private final AcceptingChannel<StreamConnection> channel;
    private final HttpOpenListener openListener;
    private final DefaultByteBufferPool buffers;
    private final ConnectionGate gate;
    private final GoAuthHandler handler;
    private final CallerCheck callers;
    /** Null for a server built directly, which is always ready. */
    private final GatewayReadiness readiness;
    private final Metrics metrics = new Metrics();
    /** Bound and unbound by DS at any time; read on each scrape of {@code /metrics}. */
    private final List<MetricSource> sources = new CopyOnWriteArrayList<>();
    private final int port;
    private final String host;

    /** A server for code that builds one directly: always ready, {@code /health} follows the lanes and the store. */
    public GoAuthServer(HttpConfig config, CallerConfig callerConfig, Authenticator authenticator,
            Authorizer authorizer, WardenDatabase database) {
        this(config, callerConfig, authenticator, authorizer, database, Readiness.READY, null);
    }

    /** The gateway's server: {@code /health} waits until the gateway is ready (see {@link GatewayChecks}). */
    @Activate
    public GoAuthServer(HttpConfig config, CallerConfig callerConfig, @Reference Authenticator authenticator,
            @Reference Authorizer authorizer, @Reference WardenDatabase database, BundleContext context,
            @Reference ServiceComponentRuntime scr) {
        this(config, callerConfig, authenticator, authorizer, database, null,
                new GatewayReadiness(GatewayChecks.of(context, scr,
                        Path.of(System.getProperty("karaf.etc", "etc")))));
    }

    /** A server whose {@code /health} asks {@code readiness} (tests: the readiness states). */
    GoAuthServer(HttpConfig config, CallerConfig callerConfig, Authenticator authenticator, Authorizer authorizer,
            WardenDatabase database, Readiness readiness) {
        this(config, callerConfig, authenticator, authorizer, database, readiness, null);
    }

    /** Exactly one of {@code fixed} and {@code checked} is given; {@code checked} is started once listening. */
    private GoAuthServer(HttpConfig config, CallerConfig callerConfig, Authenticator authenticator,
            Authorizer authorizer, WardenDatabase database, Readiness fixed, GatewayReadiness checked) {
        ResponseMode mode = ResponseMode.parse(config.response_mode());
        Map<String, Endpoint> routes = new HashMap<>();
        route(routes, config.path_user(), Endpoint.USER);
        route(routes, config.path_superuser(), Endpoint.SUPERUSER);
        route(routes, config.path_acl(), Endpoint.ACL);
        int queue = bounded("queue.size", config.queue_size(), 1, 100_000);
        int parseTimeout = bounded("parse.timeout.ms", config.parse_timeout_ms(), 100, 60_000);
        int bodyTimeout = bounded("body.timeout.ms", config.body_timeout_ms(), 100, 60_000);
        int idleTimeout = bounded("idle.timeout.ms", config.idle_timeout_ms(), 1000, 3_600_000);
        int maxConnections = bounded("max.connections", config.max_connections(), 16, 1_000_000);
        int stallTimeout = bounded("stall.timeout.ms", config.stall_timeout_ms(), 500, 600_000);
        this.callers = callers(callerConfig, Path.of("/etc/passwd"), ProcNetTcp.system());
        this.fast = new Lane("fast", bounded("fast.threads", config.fast_threads(), 1, 64), queue);
        this.slow = new Lane("slow", bounded("worker.threads", config.worker_threads(), 1, 64), queue);
        // one thread reads /proc for new connections when OS users are checked; go-auth keeps its connection
        this.peer = callers.usersRestricted() ? new Lane("peer", 1, PEER_QUEUE) : null;
        this.lanes = peer == null ? List.of(fast, slow) : List.of(fast, slow, peer);
        this.store = new StoreProbe(database);
        this.readiness = checked;
        this.handler = new GoAuthHandler(routes, mode, authenticator, authorizer, fast, slow, bodyTimeout, metrics,
                new Health(lanes, stallTimeout, store, checked != null ? checked : fixed), this::renderMetrics,
                callers, peer);
        this.host = config.host();
        XnioWorker w = null;
        DefaultByteBufferPool pool = null;
        try {
            w = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
                    .set(Options.WORKER_NAME, "warden-http")
                    .set(Options.WORKER_IO_THREADS, 2)
                    .set(Options.WORKER_TASK_CORE_THREADS, 1)
                    .set(Options.WORKER_TASK_MAX_THREADS, 1)
                    .set(Options.TCP_NODELAY, true)
                    .getMap());
            pool = new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4);
            this.openListener = new HttpOpenListener(pool, OptionMap.builder()
                    .set(UndertowOptions.MAX_ENTITY_SIZE, GoAuthHandler.HARD_LIMIT)
                    .set(UndertowOptions.MAX_HEADER_SIZE, 16 * 1024)
                    .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                    .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, false)
                    .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, parseTimeout)
                    .set(UndertowOptions.NO_REQUEST_TIMEOUT, idleTimeout)
                    .getMap());
            openListener.setRootHandler(handler);
            this.gate = new ConnectionGate(openListener, maxConnections);
            this.channel = w.createStreamConnectionServer(new InetSocketAddress(InetAddress.getByName(host),
                    config.port()), ChannelListeners.openListenerAdapter(gate), OptionMap.builder()
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.REUSE_ADDRESSES, true)
                    .set(Options.BALANCING_TOKENS, 1)
                    .set(Options.BALANCING_CONNECTIONS, 2)
                    .set(Options.BACKLOG, 1000)
                    .getMap());
            channel.resumeAccepts();
        } catch (IOException | RuntimeException e) {
            if (w != null) {
                w.shutdownNow();
            }
            if (pool != null) {
                pool.close();
            }
            for (Lane lane : lanes) {
                lane.shutdown(0);
            }
            store.shutdown();
            throw new IllegalStateException("Cannot listen on " + host + ":" + config.port() + ": " + e.getMessage(),
                    e);
        }
        this.worker = w;
        this.buffers = pool;
        this.port = channel.getLocalAddress(InetSocketAddress.class).getPort();
        if (readiness != null) {
            readiness.start();
        }
        LOG.info("go-auth HTTP backend listening on {}:{} (response mode {}, paths {} {} {}; lanes fast {} slow {}"
                + " threads, queues {}; timeouts parse {} ms, body {} ms, idle {} ms; at most {} connections; {})",
                host, port, mode.name().toLowerCase(Locale.ROOT), config.path_user(), config.path_superuser(),
                config.path_acl(), fast.threads(), slow.threads(), queue, parseTimeout, bodyTimeout, idleTimeout,
                maxConnections, callers.describe());
    }

    /**
     * The caller checks as configured. Runs before anything is started: a key file that is unsafe or
     * unreadable, or an OS user that does not exist, stops the listener from starting at all (an
     * ERROR, then DS reports the failed activation), so the checks fail closed.
     *
     * @return the checks, off when neither is configured
     * @throws IllegalArgumentException for a bad header name or an unknown OS user
     * @throws IllegalStateException for a key file that cannot be used
     */
    static CallerCheck callers(CallerConfig config, Path passwd, ProcNetTcp tables) {
        try {
            CallerKey key = null;
            HttpString header = null;
            if (config.auth_key_required()) {
                String name = config.auth_header_name();
                if (name == null || !HEADER_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("auth.header.name must be an HTTP header name (letters,"
                            + " digits, '-'), was '" + name + "'");
                }
                header = new HttpString(name);
                String file = config.auth_key_file();
                Path path = file == null || file.isBlank()
                        ? Path.of(System.getProperty("karaf.etc", "etc"), "warden-http.key") : Path.of(file.trim());
                CallerKey.Loaded loaded = CallerKey.load(path);
                key = loaded.key();
                if (loaded.origin() == CallerKey.Origin.CREATED) {
                    LOG.info("Created the caller key file {} (mode 0600): go-auth must send its line in the header {}"
                            + " (auth_opt_http_header_{} <key>)", path, name, name);
                }
            }
            PeerUsers users = PeerUsers.parse(config.allowed_os_users(), passwd, tables);
            return new CallerCheck(header, key, users);
        } catch (RuntimeException e) {
            LOG.error("The go-auth listener does not start, so every caller is refused: {}", e.getMessage());
            throw e;
        }
    }

    /** @return the value when within its range, else the nearest bound, with a warning */
    private static int bounded(String key, int value, int min, int max) {
        if (value < min || value > max) {
            int bound = value < min ? min : max;
            LOG.warn("{} must be {} to {}, was {}; using {}", key, min, max, value, bound);
            return bound;
        }
        return value;
    }

    /** @return what {@code GET /metrics} answers now */
    String metricsText() {
        return renderMetrics();
    }

    private String renderMetrics() {
        return metrics.render(sources, gate, handler.bodyTimeouts(), lanes, callers);
    }

    /** Adds a source's counters and gauges to {@code /metrics} (the decision engine's, the audit log's...). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeMetricSource")
    void addMetricSource(MetricSource source) {
        sources.add(source);
    }

    void removeMetricSource(MetricSource source) {
        sources.remove(source);
    }

    @Deactivate
    public void stop() {
        if (readiness != null) {
            readiness.stop();
        }
        IoUtils.safeClose(channel);
        // decisions under way get a few seconds to be answered, then every connection is closed
        for (Lane lane : lanes) {
            lane.shutdown(5000);
        }
        store.shutdown();
        openListener.closeConnections();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        buffers.close();
        LOG.info("go-auth HTTP backend on {}:{} stopped", host, port);
    }

    /** @return the port actually listened on (useful when configured as 0) */
    public int port() {
        return port;
    }

    private static void route(Map<String, Endpoint> routes, String path, Endpoint endpoint) {
        if (path == null || !path.startsWith("/") || List.of("/health", "/metrics").contains(path)) {
            throw new IllegalArgumentException("Path for " + endpoint.label + " must start with '/' and not be"
                    + " /health or /metrics: '" + path + "'");
        }
        if (routes.putIfAbsent(path, endpoint) != null) {
            throw new IllegalArgumentException("Two go-auth endpoints share the path " + path);
        }
    }
}
