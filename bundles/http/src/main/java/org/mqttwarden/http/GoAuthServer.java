package org.mqttwarden.http;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.http.Metrics.Endpoint;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.RequestLimit;
import io.undertow.server.handlers.RequestLimitingHandler;
import io.undertow.util.Headers;

/**
 * The HTTP backend Mosquitto's go-auth plugin calls. Owns its Undertow listener and its bounded
 * worker pool; a configuration change restarts both (DS reactivates the component), leaving the
 * rest of the gateway running.
 */
@Component(service = GoAuthServer.class, immediate = true, configurationPid = "org.mqttwarden.http")
@Designate(ocd = HttpConfig.class)
public final class GoAuthServer {

    private static final Logger LOG = LoggerFactory.getLogger(GoAuthServer.class);

    private final ThreadPoolExecutor workers;
    private final Undertow server;
    private final Metrics metrics = new Metrics();
    private final WardenDatabase database;
    /** Bound and unbound by DS at any time; read on each scrape of {@code /metrics}. */
    private final List<MetricSource> sources = new CopyOnWriteArrayList<>();
    private final int port;
    private final String host;

    @Activate
    public GoAuthServer(HttpConfig config, @Reference Authenticator authenticator, @Reference Authorizer authorizer,
            @Reference WardenDatabase database) {
        this.database = database;
        ResponseMode mode = ResponseMode.parse(config.response_mode());
        Map<String, Endpoint> routes = new HashMap<>();
        route(routes, config.path_user(), Endpoint.USER);
        route(routes, config.path_superuser(), Endpoint.SUPERUSER);
        route(routes, config.path_acl(), Endpoint.ACL);
        int threads = Math.max(1, Math.min(64, config.worker_threads()));
        int queue = Math.max(1, config.queue_size());
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue + threads), r -> {
                    Thread t = new Thread(r, "warden-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        GoAuthHandler handler = new GoAuthHandler(routes, mode, authenticator, authorizer, workers, metrics,
                this::health, () -> metrics.render(sources));
        RequestLimit limit = new RequestLimit(threads, queue);
        limit.setFailureHandler(handler::overloaded);
        this.server = Undertow.builder()
                .addHttpListener(config.port(), config.host())
                .setIoThreads(2)
                .setWorkerThreads(1)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, GoAuthHandler.HARD_LIMIT)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 16 * 1024)
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, false)
                .setHandler(new RequestLimitingHandler(limit, handler))
                .build();
        try {
            server.start();
        } catch (RuntimeException e) {
            workers.shutdownNow();
            throw new IllegalStateException("Cannot listen on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        this.host = config.host();
        this.port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        LOG.info("go-auth HTTP backend listening on {}:{} (response mode {}, paths {} {} {})", host, port,
                mode.name().toLowerCase(java.util.Locale.ROOT), config.path_user(), config.path_superuser(),
                config.path_acl());
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
        server.stop();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
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

    private void health(io.undertow.server.HttpServerExchange exchange) {
        boolean up;
        try (Connection c = database.dataSource().getConnection()) {
            up = c.isValid(2);
        } catch (Exception e) {
            LOG.warn("Health check: the store is unreachable: {}", e.toString());
            up = false;
        }
        exchange.setStatusCode(up ? 200 : 503);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send("{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"store\":\""
                + (up ? "reachable" : "unreachable") + "\"}", StandardCharsets.UTF_8);
    }
}
