package org.mqttwarden.otp.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.otp.Loopback;
import org.mqttwarden.otp.OtpConfig;
import org.mqttwarden.otp.OtpManager;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.ssl.SslConnection;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpOpenListener;

/**
 * The recovery page and its JSON API on a listener of their own ({@code http.host}:{@code http.port} of
 * {@code org.mqttwarden.otp}, 127.0.0.1:9190 by default), never go-auth's: a person's browser must not reach the
 * broker's decision endpoints, nor the broker's plugin this page. Any change of the PID restarts it (DS
 * reactivates the component); {@code http.port} 0 turns it off.
 *
 * <p>Beyond loopback it speaks TLS only, from {@code http.tls.certificate} (a PEM chain) and {@code http.tls.key}
 * (a PKCS#8 PEM key only its owner may read), loaded with the JDK alone; an address beyond loopback without them,
 * or TLS files that cannot be used, leave it off with an ERROR naming the keys, as does a port already taken.
 *
 * <p>What a client can hold is bounded: {@value #MAX_CONNECTIONS} connections, a few seconds to send its headers
 * and then its body, at most {@value RecoveryHandler#MAX_BODY} bytes of body; none of it holds a worker, one is
 * taken (of {@value #WORKERS}) only once the whole request is in. Requests are counted per source address and per
 * username ({@code http.rate.per.address}, {@code http.rate.per.username} a minute, in tables of bounded size).
 */
@Component(service = {}, immediate = true, configurationPid = OtpManager.PID)
public final class RecoveryServer {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryServer.class);

    static final int MAX_CONNECTIONS = 128;
    static final int WORKERS = 2;
    /** Keys each rate table holds at most (some 100 bytes each, 128-byte usernames included). */
    static final int RATE_TABLE = 4096;

    /**
     * What the listener allows a client, and how it binds.
     *
     * @param parseTimeoutMs to send the request's headers
     * @param bodyTimeoutMs to send its body once the headers are in
     * @param idleTimeoutMs a kept-alive connection may stay idle
     * @param rateTable keys each rate table holds at most
     * @param queue requests that may wait for a worker
     * @param anyPort bind a free port rather than {@code http.port} (tests)
     */
    record Limits(int parseTimeoutMs, int bodyTimeoutMs, int idleTimeoutMs, int rateTable, int queue,
            boolean anyPort) {

        /** As shipped. */
        static final Limits SHIPPED = new Limits(5000, 5000, 30_000, RATE_TABLE, 32, false);
    }

    private final String refusal;
    private final XnioWorker worker;
    private final AcceptingChannel<? extends StreamConnection> channel;
    private final HttpOpenListener openListener;
    private final DefaultByteBufferPool buffers;
    private final ThreadPoolExecutor workers;
    private final ConnectionCap cap;
    private final RateLimit byAddress;
    private final RateLimit byUsername;
    private final String host;
    private final int port;
    private final boolean tls;
    private final AtomicBoolean stopped = new AtomicBoolean();

    @Activate
    public RecoveryServer(OtpConfig config, @Reference OtpService otp) {
        this(config, otp, Clock.systemUTC(), Limits.SHIPPED);
    }

    /** A listener with other limits and clock (tests: short timeouts, small tables, a clock they move). */
    RecoveryServer(OtpConfig config, OtpService otp, Clock clock, Limits limits) {
        this.host = config.http_host() == null ? "" : config.http_host().strip();
        int perAddress = bounded("http.rate.per.address", config.http_rate_per_address(), 1, 10_000);
        int perUsername = bounded("http.rate.per.username", config.http_rate_per_username(), 1, 1_000);
        this.byAddress = new RateLimit(perAddress, limits.rateTable(), clock);
        this.byUsername = new RateLimit(perUsername, limits.rateTable(), clock);
        String problem = null;
        SSLContext ssl = null;
        if (config.http_port() == 0) {
            problem = "http.port is 0";
        } else if (config.http_port() < 0 || config.http_port() > 65_535) {
            problem = "http.port must be 1 to 65535 (0: off), was " + config.http_port();
        } else if (host.isEmpty()) {
            problem = "http.host is empty; it is the address to listen on, 127.0.0.1 unless TLS is set";
        } else {
            String cert = blankToNull(config.http_tls_certificate());
            String key = blankToNull(config.http_tls_key());
            if ((cert == null) != (key == null)) {
                problem = "http.tls.certificate and http.tls.key must be set together (PEM files), or neither";
            } else if (cert == null && !Loopback.named(host)) {
                problem = "http.host=" + host + " is not a loopback address, so the listener needs TLS: set"
                        + " http.tls.certificate and http.tls.key (PEM files), or listen on 127.0.0.1";
            } else if (cert != null) {
                try {
                    ssl = PemTls.context(Path.of(cert), Path.of(key));
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
        }
        this.tls = ssl != null;
        XnioWorker w = null;
        DefaultByteBufferPool pool = null;
        HttpOpenListener listener = null;
        ConnectionCap gate = null;
        AcceptingChannel<? extends StreamConnection> accepting = null;
        ThreadPoolExecutor pooled = null;
        if (problem == null) {
            AtomicInteger n = new AtomicInteger();
            pooled = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(limits.queue()), r -> {
                        Thread t = new Thread(r, "warden-otp-web-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    }, new ThreadPoolExecutor.AbortPolicy());
            try {
                RecoveryHandler handler = new RecoveryHandler(otp, byAddress, byUsername,
                        new CsrfTokens(new SecureRandom()),
                        new RecoveryPage(config.code_ttl_minutes(), config.mail_host().isBlank()), pooled,
                        limits.bodyTimeoutMs(), tls, config.code_ttl_minutes(), !tls && Loopback.named(host));
                Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
                w = xnio.createWorker(OptionMap.builder()
                        .set(Options.WORKER_NAME, "warden-otp-web-io")
                        .set(Options.WORKER_IO_THREADS, 1)
                        .set(Options.WORKER_TASK_CORE_THREADS, 1)
                        .set(Options.WORKER_TASK_MAX_THREADS, 1)
                        .set(Options.TCP_NODELAY, true)
                        .getMap());
                pool = new DefaultByteBufferPool(false, 16 * 1024 - 20, 64, 4);
                listener = new HttpOpenListener(pool, OptionMap.builder()
                        .set(UndertowOptions.MAX_HEADER_SIZE, 8 * 1024)
                        .set(UndertowOptions.MAX_HEADERS, 64)
                        .set(UndertowOptions.MAX_COOKIES, 16)
                        .set(UndertowOptions.MAX_PARAMETERS, 16)
                        .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, false)
                        .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                        .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, limits.parseTimeoutMs())
                        .set(UndertowOptions.NO_REQUEST_TIMEOUT, limits.idleTimeoutMs())
                        .getMap());
                listener.setRootHandler(handler);
                gate = new ConnectionCap(listener, MAX_CONNECTIONS);
                InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(host),
                        limits.anyPort() ? 0 : config.http_port());
                OptionMap socket = OptionMap.builder()
                        .set(Options.TCP_NODELAY, true)
                        .set(Options.REUSE_ADDRESSES, true)
                        .set(Options.BACKLOG, 256)
                        .set(Options.WRITE_TIMEOUT, 10_000)
                        .getMap();
                if (ssl == null) {
                    accepting = w.createStreamConnectionServer(bind, ChannelListeners.openListenerAdapter(gate),
                            socket);
                } else {
                    UndertowXnioSsl xnioSsl = new UndertowXnioSsl(xnio, OptionMap.EMPTY, ssl);
                    ChannelListener<AcceptingChannel<SslConnection>> accept =
                            ChannelListeners.openListenerAdapter(gate);
                    accepting = xnioSsl.createSslConnectionServer(w, bind, accept, OptionMap.builder()
                            .addAll(socket)
                            .set(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.NOT_REQUESTED)
                            .set(Options.SSL_ENABLED_PROTOCOLS, Sequence.of("TLSv1.3", "TLSv1.2"))
                            .getMap());
                }
                accepting.resumeAccepts();
            } catch (IOException | RuntimeException e) {
                problem = "cannot listen on " + host + ":" + config.http_port() + ": " + (e instanceof
                        UnknownHostException ? "unknown host" : e.getMessage());
                IoUtils.safeClose(accepting);
                accepting = null;
                if (w != null) {
                    w.shutdownNow();
                    w = null;
                }
                if (pool != null) {
                    pool.close();
                    pool = null;
                }
                pooled.shutdownNow();
                pooled = null;
                listener = null;
                gate = null;
            }
        }
        this.refusal = problem;
        this.worker = w;
        this.buffers = pool;
        this.openListener = listener;
        this.cap = gate;
        this.channel = accepting;
        this.workers = pooled;
        this.port = accepting == null ? -1 : accepting.getLocalAddress(InetSocketAddress.class).getPort();
        if (config.http_port() == 0) {
            LOG.info("The recovery page is off (http.port is 0)");
        } else if (problem != null) {
            LOG.error("The recovery page does not start: {}", problem);
        } else {
            LOG.info("Recovery page listening on {}://{}:{}/recovery (TLS {}; {} requests a minute per address, {}"
                    + " per username; at most {} connections, {} workers)", tls ? "https" : "http", host, port,
                    tls ? "on" : "off", perAddress, perUsername, MAX_CONNECTIONS, WORKERS);
        }
    }

    /**
     * Closes the listener and every connection; requests under way get a few seconds to be answered. Once only: a
     * second call does nothing (XNIO waits forever to close a channel of a worker already shut down).
     */
    @Deactivate
    public void stop() {
        if (channel == null || !stopped.compareAndSet(false, true)) {
            return;
        }
        IoUtils.safeClose(channel);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
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
        LOG.info("Recovery page on {}:{} stopped", host, port);
    }

    /** @return the port listened on, or -1 when there is no listener */
    public int port() {
        return port;
    }

    /** @return why there is no listener (the sentence logged), empty when there is one */
    Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** @return whether the listener speaks TLS */
    boolean tls() {
        return tls;
    }

    /** @return connections open now */
    int connections() {
        return cap == null ? 0 : cap.open();
    }

    /** @return keys held in the address and username rate tables */
    int[] rateTableSizes() {
        return new int[] {byAddress.size(), byUsername.size()};
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
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
}
