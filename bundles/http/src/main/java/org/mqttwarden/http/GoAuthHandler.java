package org.mqttwarden.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Credentials;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.auth.WardenUnavailableException;
import org.mqttwarden.http.Metrics.Endpoint;
import org.mqttwarden.http.Metrics.Result;
import org.mqttwarden.http.ResponseMode.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;

/**
 * go-auth's endpoints. On the IO thread: route, check method and size, read the body without
 * blocking (within {@code body.timeout.ms}, else the connection is closed), parse, and answer what
 * the engine knows without blocking. Only then, with the whole request in, a decision thread is
 * taken: the fast lane for ACL and superuser checks and for logins the engine answers without a
 * password hash, the slow lane for the logins that need one. A lane with no room answers 503 at
 * once. Nothing about a denial or a fault goes on the wire beyond the status (and the fixed body of
 * the response mode). Before any of this, a caller the {@link CallerCheck} refuses gets 403 on every
 * path but {@code /health}.
 */
final class GoAuthHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(GoAuthHandler.class);
    /** The largest body answered; a larger one gets 413, whether announced by Content-Length or chunked. */
    static final int MAX_BODY = 8192;
    /**
     * Undertow's own entity limit, set above {@link #MAX_BODY} so that a chunked body just over it is
     * read to its end and answered 413 here: Undertow itself answers a Content-Length over its limit
     * with 400 before any handler runs, and closes a chunked request over it without an answer.
     */
    static final long HARD_LIMIT = 8L * MAX_BODY;

    private final Map<String, Endpoint> routes;
    private final ResponseMode mode;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final Lane fast;
    private final Lane slow;
    private final long bodyTimeoutMillis;
    private final Metrics metrics;
    private final HttpHandler health;
    private final Supplier<String> metricsText;
    private final CallerCheck callers;
    private final Lane peer;
    private final LongAdder bodyTimeouts = new LongAdder();

    /**
     * @param fast the lane for answers that cost no password hash
     * @param slow the lane for logins that need one
     * @param bodyTimeoutMillis how long a client has from the end of its headers to the end of its body
     * @param health answers {@code /health} on the IO thread
     * @param callers decides who may call anything but {@code /health}
     * @param peer the lane looking up the OS users of new connections, or {@code null} when they are not
     *        checked
     */
    GoAuthHandler(Map<String, Endpoint> routes, ResponseMode mode, Authenticator authenticator, Authorizer authorizer,
            Lane fast, Lane slow, long bodyTimeoutMillis, Metrics metrics, HttpHandler health,
            Supplier<String> metricsText, CallerCheck callers, Lane peer) {
        this.routes = Map.copyOf(routes);
        this.mode = mode;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.fast = fast;
        this.slow = slow;
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.metrics = metrics;
        this.health = health;
        this.metricsText = metricsText;
        this.callers = callers;
        this.peer = peer;
    }

    /** @return connections closed because a request body did not arrive in time */
    long bodyTimeouts() {
        return bodyTimeouts.sum();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        long start = System.nanoTime();
        String path = exchange.getRequestPath();
        HttpString method = exchange.getRequestMethod();
        Endpoint endpoint = routes.get(path);
        boolean open = endpoint == null && path.equals("/health");
        if (!open && callers.needsLookUp(exchange)) {
            lookUpThenHandle(exchange);
            return;
        }
        if (!open && callers.check(exchange) != null) {
            // a caller not allowed learns nothing, not even which paths exist: 403, before any body is read
            new BodyDeadline().start(exchange);
            plain(exchange, 403);
            return;
        }
        if (endpoint == null) {
            // answered without reading a body: one announced must still arrive in time, or Undertow's drain waits
            new BodyDeadline().start(exchange);
            if (path.equals("/health") && Methods.GET.equals(method)) {
                health.handleRequest(exchange);
            } else if (path.equals("/metrics") && Methods.GET.equals(method)) {
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                exchange.getResponseSender().send(metricsText.get());
            } else {
                plain(exchange, path.equals("/health") || path.equals("/metrics") ? 405 : 404);
            }
            return;
        }
        if (!Methods.POST.equals(method) && !Methods.GET.equals(method) && !Methods.PUT.equals(method)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST, GET, PUT");
            reject(exchange, endpoint, 405, start);
            return;
        }
        if (exchange.getRequestContentLength() > MAX_BODY) {
            reject(exchange, endpoint, 413, start);
            return;
        }
        BodyDeadline deadline = new BodyDeadline();
        exchange.getRequestReceiver().receiveFullBytes((ex, body) -> {
            if (deadline.arrived()) {
                received(ex, endpoint, body, start);
            }
        }, (ex, error) -> {
            if (deadline.arrived()) {
                reject(ex, endpoint, error instanceof RequestTooBigException ? 413 : 400, start);
            }
        });
        deadline.start(exchange);
    }

    /**
     * The first request on a connection when only some OS users are served: the peer's owner is
     * looked up on the peer lane (a read of {@code /proc} may take milliseconds, too long for an IO
     * thread), kept on the connection on its IO thread, and the request handled from the start. A
     * full peer lane answers 503 at once.
     */
    private void lookUpThenHandle(HttpServerExchange exchange) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
            try {
                peer.execute(() -> {
                    int uid = callers.lookUp(exchange.getConnection());
                    exchange.getIoThread().execute(() -> {
                        callers.keep(exchange.getConnection(), uid);
                        exchange.dispatch(SameThreadExecutor.INSTANCE, this);
                    });
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("No room in the peer lane to look a caller up");
                plain(exchange, 503);
            }
        });
    }

    /**
     * The time a client has to send its body once its headers are in: Undertow's parse timeout ends
     * with the headers, and its read timeout would also close kept-alive connections between
     * requests. A deadline, not an idle timer, so a body trickled byte by byte is bounded too. The
     * receiver's callbacks and the timer run on the connection's IO thread; only the completion of
     * the exchange may come from a lane's thread.
     */
    private final class BodyDeadline implements ExchangeCompletionListener {

        private boolean done;
        private volatile XnioExecutor.Key timer;

        /** Arms the timer unless the body is already in (or there is none). */
        void start(HttpServerExchange exchange) {
            if (!done && !exchange.isRequestComplete()) {
                timer = exchange.getIoThread().executeAfter(() -> expire(exchange), bodyTimeoutMillis,
                        TimeUnit.MILLISECONDS);
                exchange.addExchangeCompleteListener(this);
            }
        }

        /** @return whether the body (or an error) came before the deadline, the first time only */
        boolean arrived() {
            if (done) {
                return false;
            }
            done = true;
            cancel();
            return true;
        }

        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
            cancel();
            next.proceed();
        }

        private void cancel() {
            XnioExecutor.Key t = timer;
            if (t != null) {
                t.remove();
            }
        }

        private void expire(HttpServerExchange exchange) {
            if (!done && !exchange.isRequestComplete()) {
                done = true;
                bodyTimeouts.increment();
                LOG.debug("Closing a connection from {}: its request body did not arrive within {} ms",
                        exchange.getSourceAddress(), bodyTimeoutMillis);
                IoUtils.safeClose(exchange.getConnection());
            }
        }
    }

    /**
     * On the IO thread: parse (bounded, CPU only), answer at once when the engine can without
     * blocking (a cached ACL or superuser answer), else hand the request to a worker.
     */
    private void received(HttpServerExchange exchange, Endpoint endpoint, byte[] body, long start) {
        if (body.length > MAX_BODY) {
            reject(exchange, endpoint, 413, start);
            return;
        }
        Request request;
        try {
            request = Request.of(endpoint,
                    GoAuthParams.parse(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE), body));
        } catch (BadRequest e) {
            LOG.debug("Bad {} request: {}", endpoint.label, e.getMessage());
            reject(exchange, endpoint, e.status(), start);
            return;
        }
        Decision now = decideNow(request);
        if (now != null) {
            respond(exchange, endpoint, now.allowed() ? Verdict.ALLOW : Verdict.DENY, start);
        } else {
            // dispatched to the same thread, so that a full lane is answered here, not by Undertow
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> enqueue(fast, exchange, request, start, false));
        }
    }

    /**
     * Hands the request to a lane, or answers 503 at once when the lane has no room.
     *
     * @param full whether the decision may hash a password (slow lane), else only what costs none
     */
    private void enqueue(Lane lane, HttpServerExchange exchange, Request request, long start, boolean full) {
        try {
            lane.execute(() -> answer(exchange, request, start, full));
        } catch (RejectedExecutionException e) {
            LOG.debug("No room in the {} lane for a {} request", lane.name(), request.endpoint.label);
            metrics.record(request.endpoint, Result.OVERLOADED, System.nanoTime() - start);
            plain(exchange, 503);
        }
    }

    /** On a lane's thread: decides, or hands a login that needs a password hash on to the slow lane. */
    private void answer(HttpServerExchange exchange, Request request, long start, boolean full) {
        Verdict verdict = Verdict.ERROR;
        try {
            Decision decision = full ? decide(request) : decideFast(request);
            if (decision == null) {
                verdict = null;
                enqueue(slow, exchange, request, start, true);
                return;
            }
            verdict = decision.allowed() ? Verdict.ALLOW : Verdict.DENY;
        } catch (WardenUnavailableException e) {
            LOG.warn("Answering {} with an error: {}", request.endpoint.label, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure answering {}", request.endpoint.label, e);
        } finally {
            // also when an Error ends the decision: go-auth gets its answer, not a connection left hanging
            if (verdict != null) {
                respond(exchange, request.endpoint, verdict, start);
            }
        }
    }

    /** @return the decision when it costs no password hash, else null (and nothing was recorded) */
    private Decision decideFast(Request r) {
        return r.endpoint == Endpoint.USER ? authenticator.authenticateFast(r.credentials()) : decide(r);
    }

    private void respond(HttpServerExchange exchange, Endpoint endpoint, Verdict verdict, long start) {
        metrics.record(endpoint, switch (verdict) {
            case ALLOW -> Result.ALLOW;
            case DENY -> Result.DENY;
            case ERROR -> Result.ERROR;
        }, System.nanoTime() - start);
        exchange.setStatusCode(mode.status(verdict));
        String text = mode.body(verdict);
        if (text.isEmpty()) {
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
            exchange.endExchange();
        } else {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, mode.contentType());
            exchange.getResponseSender().send(text, StandardCharsets.UTF_8);
        }
    }

    /** @return the answer when the engine can give it without blocking, else null */
    private Decision decideNow(Request r) {
        try {
            return switch (r.endpoint) {
                case USER -> authenticator.authenticateNow(r.credentials());
                case SUPERUSER -> authenticator.superuserNow(r.username);
                case ACL -> authorizer.authorizeNow(r.client(), r.topic, r.access);
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Decision decide(Request r) {
        return switch (r.endpoint) {
            case USER -> authenticator.authenticate(r.credentials());
            case SUPERUSER -> authenticator.superuser(r.username);
            case ACL -> authorizer.authorize(r.client(), r.topic, r.access);
        };
    }

    /** A go-auth request whose parameters are complete for its endpoint. */
    private record Request(Endpoint endpoint, String username, String password, String clientId, String topic,
            Access access) {

        static Request of(Endpoint endpoint, GoAuthParams p) throws BadRequest {
            if (p.username() == null) {
                throw new BadRequest("'username' is missing");
            }
            switch (endpoint) {
                case USER -> {
                    if (p.password() == null) {
                        throw new BadRequest("'password' is missing");
                    }
                    return new Request(endpoint, p.username(), p.password(), p.clientId(), null, null);
                }
                case SUPERUSER -> {
                    return new Request(endpoint, p.username(), null, p.clientId(), null, null);
                }
                case ACL -> {
                    if (p.topic() == null) {
                        throw new BadRequest("'topic' is missing");
                    }
                    Access access = Access.fromCode(p.acc());
                    if (access == null) {
                        throw new BadRequest("'acc' must be 1, 2, 3 or 4");
                    }
                    return new Request(endpoint, p.username(), null, p.clientId(), p.topic(), access);
                }
                default -> throw new IllegalStateException(endpoint.name());
            }
        }

        ClientRef client() {
            return new ClientRef(username, clientId, null);
        }

        Credentials credentials() {
            return new Credentials(username, password, clientId);
        }

        @Override
        public String toString() {
            return "Request[" + endpoint + ", username=" + username + ", password=***]";
        }
    }

    private void reject(HttpServerExchange exchange, Endpoint endpoint, int status, long start) {
        metrics.record(endpoint, Result.BAD_REQUEST, System.nanoTime() - start);
        plain(exchange, status);
    }

    private static void plain(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.setPersistent(status < 500 && status != 413 && exchange.isPersistent());
        exchange.endExchange();
    }
}
