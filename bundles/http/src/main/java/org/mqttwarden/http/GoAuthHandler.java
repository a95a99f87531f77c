package org.mqttwarden.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executor;
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

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * go-auth's endpoints. On the IO thread: route, check method and size, read the body without
 * blocking. On a worker: parse, decide, answer. Nothing about a denial or a fault goes on the wire
 * beyond the status (and the fixed body of the response mode).
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
    private final Executor workers;
    private final Metrics metrics;
    private final HttpHandler health;
    private final Supplier<String> metricsText;

    GoAuthHandler(Map<String, Endpoint> routes, ResponseMode mode, Authenticator authenticator, Authorizer authorizer,
            Executor workers, Metrics metrics, HttpHandler health, Supplier<String> metricsText) {
        this.routes = Map.copyOf(routes);
        this.mode = mode;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.workers = workers;
        this.metrics = metrics;
        this.health = health;
        this.metricsText = metricsText;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        long start = System.nanoTime();
        String path = exchange.getRequestPath();
        HttpString method = exchange.getRequestMethod();
        Endpoint endpoint = routes.get(path);
        if (endpoint == null) {
            if (path.equals("/health") && Methods.GET.equals(method)) {
                exchange.dispatch(workers, health);
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
        exchange.getRequestReceiver().receiveFullBytes((ex, body) -> received(ex, endpoint, body, start),
                (ex, error) -> reject(ex, endpoint, error instanceof RequestTooBigException ? 413 : 400, start));
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
            exchange.dispatch(workers, () -> answer(exchange, request, start));
        }
    }

    private void answer(HttpServerExchange exchange, Request request, long start) {
        Verdict verdict;
        try {
            verdict = decide(request).allowed() ? Verdict.ALLOW : Verdict.DENY;
        } catch (WardenUnavailableException e) {
            LOG.warn("Answering {} with an error: {}", request.endpoint.label, e.getMessage());
            verdict = Verdict.ERROR;
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure answering {}", request.endpoint.label, e);
            verdict = Verdict.ERROR;
        }
        respond(exchange, request.endpoint, verdict, start);
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
                case SUPERUSER -> authenticator.superuserNow(r.username);
                case ACL -> authorizer.authorizeNow(r.client(), r.topic, r.access);
                default -> null;
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Decision decide(Request r) {
        return switch (r.endpoint) {
            case USER -> authenticator.authenticate(new Credentials(r.username, r.password, r.clientId));
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

        @Override
        public String toString() {
            return "Request[" + endpoint + ", username=" + username + ", password=***]";
        }
    }

    /**
     * Answers a request the server has no room for (all workers busy, the queue full): 503, which
     * go-auth takes as an error, never as a denial; counted as overloaded.
     */
    void overloaded(HttpServerExchange exchange) {
        Endpoint endpoint = routes.get(exchange.getRequestPath());
        if (endpoint != null) {
            metrics.record(endpoint, Result.OVERLOADED, 0);
        }
        plain(exchange, 503);
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
