package org.mqttwarden.otp.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.otp.Loopback;
import org.mqttwarden.api.otp.OtpService.OtpConfirmation;
import org.mqttwarden.otp.web.RecoveryPage.Notice;
import org.mqttwarden.otp.web.RecoveryPage.Tone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;

/**
 * The recovery endpoints. On the IO thread: route, method, the source address's rate, content type and size,
 * then the body, read without blocking within the body deadline and at most {@value #MAX_BODY} bytes, parsed and
 * checked (the form's anti-forgery token, the username's rate). Only then is a worker thread taken, for the
 * {@link OtpService} call (a confirmation may hash a password); when none is free the answer is 429 at once.
 *
 * <p>{@code POST /recovery/api/request} answers every well-formed request alike (202, one body) whether the
 * account exists or not, as {@link OtpService#request} does its work after returning. The JSON API needs no
 * anti-forgery token: a page of another site cannot send {@code application/json} without a CORS preflight, and
 * nothing here answers one. Every answer forbids caching, sniffing, framing and any asset from elsewhere.
 */
final class RecoveryHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryHandler.class);

    /** The largest body read; a larger one gets 413, whether announced by Content-Length or chunked. */
    static final int MAX_BODY = 4096;
    static final String PAGE = "/recovery";
    static final String CSS = "/recovery/recovery.css";
    static final String CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none';"
            + " base-uri 'none'";
    private static final HttpString CONTENT_SECURITY_POLICY = new HttpString("Content-Security-Policy");
    private static final HttpString X_CONTENT_TYPE_OPTIONS = new HttpString("X-Content-Type-Options");
    private static final HttpString X_FRAME_OPTIONS = new HttpString("X-Frame-Options");
    private static final HttpString REFERRER_POLICY = new HttpString("Referrer-Policy");
    private static final HttpString CROSS_ORIGIN_RESOURCE_POLICY = new HttpString("Cross-Origin-Resource-Policy");
    private static final JsonFactory JSON = new JsonFactory();
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** The POST endpoints. */
    enum Endpoint {
        API_REQUEST("/recovery/api/request", true, true),
        API_CONFIRM("/recovery/api/confirm", true, false),
        FORM_REQUEST("/recovery/request", false, true),
        FORM_CONFIRM("/recovery/confirm", false, false);

        final String path;
        final boolean api;
        final boolean request;

        Endpoint(String path, boolean api, boolean request) {
            this.path = path;
            this.api = api;
            this.request = request;
        }

        static Endpoint of(String path) {
            for (Endpoint e : values()) {
                if (e.path.equals(path)) {
                    return e;
                }
            }
            return null;
        }
    }

    private final OtpService otp;
    private final RateLimit byAddress;
    private final RateLimit byUsername;
    private final CsrfTokens csrf;
    private final RecoveryPage page;
    private final ThreadPoolExecutor workers;
    private final long bodyTimeoutMillis;
    private final boolean tls;
    private final int minutes;
    private final AtomicLong unwarned = new AtomicLong();
    private final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    /**
     * @param workers the threads that call the service; a full pool is answered 429 at once
     * @param bodyTimeoutMillis how long a client has from the end of its headers to the end of its body
     * @param tls whether the listener speaks TLS (the cookie is then {@code Secure})
     * @param minutes how long a code is valid, as the answers say
     */
    /** Whether the Host header must name loopback (a listener on loopback, without TLS). */
    private final boolean loopbackNamesOnly;

    RecoveryHandler(OtpService otp, RateLimit byAddress, RateLimit byUsername, CsrfTokens csrf, RecoveryPage page,
            ThreadPoolExecutor workers, long bodyTimeoutMillis, boolean tls, int minutes, boolean loopbackNamesOnly) {
        this.otp = otp;
        this.loopbackNamesOnly = loopbackNamesOnly;
        this.byAddress = byAddress;
        this.byUsername = byUsername;
        this.csrf = csrf;
        this.page = page;
        this.workers = workers;
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.tls = tls;
        this.minutes = minutes;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        secure(exchange.getResponseHeaders());
        if (tls) {
            // served over HTTPS only: browsers that saw it once never try plain HTTP for it again (a year)
            exchange.getResponseHeaders().put(STRICT_TRANSPORT_SECURITY, "max-age=31536000");
        }
        String path = exchange.getRequestPath();
        HttpString method = exchange.getRequestMethod();
        if (loopbackNamesOnly && !Loopback.named(exchange.getHostName())) {
            // DNS rebinding: a web page whose name an attacker points at 127.0.0.1 would otherwise be same-origin
            // with this page in the browser of someone on the gateway; only loopback names are served on loopback
            new BodyDeadline().start(exchange);
            text(exchange, 421, "This listener answers to localhost and loopback addresses only.");
            return;
        }
        Endpoint endpoint = Endpoint.of(path);
        if (endpoint == null) {
            // answered without reading a body; one announced must still arrive in time, or the drain would wait
            new BodyDeadline().start(exchange);
            boolean read = Methods.GET.equals(method) || Methods.HEAD.equals(method);
            if ((path.equals(PAGE) || path.equals(CSS)) && !read) {
                exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
                text(exchange, 405, "Only GET is answered here.");
            } else if (path.equals(PAGE)) {
                page(exchange, 200, null, null);
            } else if (path.equals(CSS)) {
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/css; charset=utf-8");
                send(exchange, 200, page.css());
            } else {
                text(exchange, 404, "Not found.");
            }
            return;
        }
        if (!Methods.POST.equals(method)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
            early(exchange, endpoint, 405, "Only POST is answered here.");
            return;
        }
        long wait = byAddress.hit(addressKey(exchange));
        if (wait > 0) {
            limited(exchange, endpoint, wait, null, null, "address");
            return;
        }
        String type = RecoveryInput.mediaType(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
        String expected = endpoint.api ? RecoveryInput.JSON : RecoveryInput.FORM;
        if (!type.equals(expected)) {
            early(exchange, endpoint, 415, "The body must be " + expected + ".");
            return;
        }
        if (exchange.getRequestContentLength() > MAX_BODY) {
            early(exchange, endpoint, 413, "The body is larger than " + MAX_BODY + " bytes.");
            return;
        }
        BodyDeadline deadline = new BodyDeadline();
        ByteArrayOutputStream body = new ByteArrayOutputStream(256);
        exchange.getRequestReceiver().receivePartialBytes((ex, bytes, last) -> {
            if (deadline.over()) {
                return;
            }
            if (body.size() + bytes.length > MAX_BODY) {
                deadline.arrived();
                ex.getRequestReceiver().pause();
                early(ex, endpoint, 413, "The body is larger than " + MAX_BODY + " bytes.");
                return;
            }
            body.write(bytes, 0, bytes.length);
            if (last && deadline.arrived()) {
                received(ex, endpoint, body.toByteArray());
            }
        }, (ex, error) -> {
            if (deadline.arrived()) {
                LOG.debug("A recovery request body could not be read: {}", error.toString());
                early(ex, endpoint, 400, "The body could not be read.");
            }
        });
        deadline.start(exchange);
    }

    /** On the IO thread, with the whole body: parse, check, then hand the service call to a worker. */
    private void received(HttpServerExchange exchange, Endpoint endpoint, byte[] body) {
        RecoveryInput in;
        try {
            in = endpoint.api ? RecoveryInput.json(body) : RecoveryInput.form(body);
        } catch (BadInput e) {
            problem(exchange, endpoint, e.status(), e.getMessage(), null, null);
            return;
        }
        String form = endpoint.api ? null : formOf(endpoint, in.purpose());
        if (!endpoint.api) {
            Cookie c = exchange.getRequestCookie(CsrfTokens.COOKIE);
            if (!csrf.valid(c == null ? null : c.getValue(), in.csrf())) {
                LOG.debug("A recovery form from {} was refused: its anti-forgery token is missing or wrong",
                        source(exchange));
                page(exchange, 403, null, formNotice("This form has expired or was not sent from this page. Nothing"
                        + " was done.", form));
                return;
            }
        }
        String username = in.username() == null ? null : in.username().strip();
        try {
            username = in.requireUsername();
            if (endpoint.request) {
                OtpPurpose purpose = in.requireRequestPurpose();
                if (allowed(exchange, endpoint, username, form)) {
                    String u = username;
                    work(exchange, endpoint, username, form, () -> requested(exchange, endpoint, u, purpose));
                }
            } else {
                OtpPurpose purpose = in.requirePurpose();
                String code = in.requireCode();
                String password = null;
                if (purpose != OtpPurpose.UNLOCK) {
                    password = in.requirePassword();
                    if (!endpoint.api && !password.equals(in.repeat())) {
                        throw new BadInput("The two passwords differ. Nothing was changed; the code is still"
                                + " valid.");
                    }
                }
                if (allowed(exchange, endpoint, username, form)) {
                    String u = username;
                    String p = password;
                    work(exchange, endpoint, username, form, () -> confirmed(exchange, endpoint, u, purpose, code, p,
                            form));
                }
            }
        } catch (BadInput e) {
            problem(exchange, endpoint, e.status(), e.getMessage(), username, form);
        }
    }

    /**
     * @return the id of the page's form that posts {@code purpose} to {@code endpoint}, for a notice's link back
     *     to it (the page shows the reset forms first); null when there is none
     */
    static String formOf(Endpoint endpoint, String purpose) {
        String section = purpose == null ? null : switch (purpose) {
            case "reset" -> "reset";
            case "unlock" -> "unlock";
            case "verify" -> endpoint.request ? null : "invite";
            default -> null;
        };
        return section == null ? null : section + (endpoint.request ? "-request" : "-confirm");
    }

    private static Notice formNotice(String text, String form) {
        return form == null ? Notice.error(text) : new Notice(Tone.ERROR, text, form, "Go to the form.");
    }

    /** @return whether the username's rate allows the request; when not, it has been answered 429 */
    private boolean allowed(HttpServerExchange exchange, Endpoint endpoint, String username, String form) {
        long wait = byUsername.hit(username.toLowerCase(Locale.ROOT));
        if (wait > 0) {
            limited(exchange, endpoint, wait, username, form, "username");
            return false;
        }
        return true;
    }

    /** On a worker: a code asked for. The answer does not depend on the account. */
    private void requested(HttpServerExchange exchange, Endpoint endpoint, String username, OtpPurpose purpose) {
        otp.request(username, purpose, source(exchange));
        if (endpoint.api) {
            json(exchange, 202, true, "If the account can receive codes, a code is on its way. It is valid for "
                    + minutes + " minutes.");
        } else {
            boolean reset = purpose == OtpPurpose.RESET;
            page(exchange, 200, username, new Notice(Tone.OK, "If " + username + " is an account with an e-mail"
                    + " address, a code to " + (reset ? "reset its password" : "unlock it") + " is on its way"
                    + " there. It is valid for " + minutes + " minutes.", reset ? "reset-confirm" : "unlock-confirm",
                    "Enter it in step 2."));
        }
    }

    /** On a worker: a code used. */
    private void confirmed(HttpServerExchange exchange, Endpoint endpoint, String username, OtpPurpose purpose,
            String code, String password, String form) {
        OtpConfirmation done = otp.confirm(username, purpose, code, password, source(exchange));
        if (!done.confirmed()) {
            problem(exchange, endpoint, 400, done.problem(), username, form);
        } else if (endpoint.api) {
            json(exchange, 200, true, null);
        } else {
            page(exchange, 200, username, Notice.ok(switch (purpose) {
                case RESET -> "Your password is changed. You can log in with the new one now.";
                case VERIFY -> "Your password is set. You can log in with it now.";
                case UNLOCK -> "Your account is unlocked. You can log in again.";
            }));
        }
    }

    /**
     * Runs {@code task} on a worker, or answers 429 at once when every worker is busy and the queue is full.
     * Dispatched to the same thread first, so that a full pool is answered here and not by Undertow.
     */
    private void work(HttpServerExchange exchange, Endpoint endpoint, String username, String form, Runnable task) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
            try {
                workers.execute(() -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.warn("A recovery request failed: {}", e.toString());
                        problem(exchange, endpoint, 503, "The recovery service failed. Try again later.", username,
                                form);
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("No free recovery worker");
                limited(exchange, endpoint, 1, username, form, "busy");
            }
        });
    }

    // ---- answers

    private void limited(HttpServerExchange exchange, Endpoint endpoint, long seconds, String username, String form,
            String why) {
        warnRefusal(why);
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString(seconds));
        String text = "Too many attempts. Try again in " + seconds + (seconds == 1 ? " second." : " seconds.");
        if (username == null) {
            // answered before the body was read
            early(exchange, endpoint, 429, text);
        } else {
            problem(exchange, endpoint, 429, text, username, form);
        }
    }

    /** Answers before the body is read, and closes the connection after, so nothing waits for that body. */
    private void early(HttpServerExchange exchange, Endpoint endpoint, int status, String text) {
        exchange.setPersistent(false);
        problem(exchange, endpoint, status, text, null, null);
    }

    private void problem(HttpServerExchange exchange, Endpoint endpoint, int status, String text, String username,
            String form) {
        if (endpoint.api) {
            json(exchange, status, false, text);
        } else {
            page(exchange, status, username, formNotice(text, form));
        }
    }

    /** The page, with its cookie set when the browser did not send a usable one. */
    private void page(HttpServerExchange exchange, int status, String username, Notice notice) {
        Cookie sent = exchange.getRequestCookie(CsrfTokens.COOKIE);
        String cookie = sent == null ? null : sent.getValue();
        if (!CsrfTokens.wellFormed(cookie) || status == 403) {
            cookie = csrf.newCookie();
            exchange.getResponseHeaders().add(Headers.SET_COOKIE, CsrfTokens.COOKIE + "=" + cookie
                    + "; Path=" + PAGE + "; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : ""));
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
        send(exchange, status, page.render(csrf.tokenFor(cookie), username, notice)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void json(HttpServerExchange exchange, int status, boolean ok, String text) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeBooleanField("ok", ok);
            if (text != null) {
                g.writeStringField(ok ? "message" : "error", text);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        send(exchange, status, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void text(HttpServerExchange exchange, int status, String text) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        send(exchange, status, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpServerExchange exchange, int status, byte[] body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
    }

    /** What every answer carries. */
    private static final HttpString STRICT_TRANSPORT_SECURITY = new HttpString("Strict-Transport-Security");

    private static void secure(HeaderMap h) {
        h.put(Headers.CACHE_CONTROL, "no-store");
        h.put(X_CONTENT_TYPE_OPTIONS, "nosniff");
        h.put(X_FRAME_OPTIONS, "DENY");
        h.put(CONTENT_SECURITY_POLICY, CSP);
        h.put(REFERRER_POLICY, "no-referrer");
        h.put(CROSS_ORIGIN_RESOURCE_POLICY, "same-origin");
    }

    private void warnRefusal(String why) {
        LOG.debug("A recovery request was refused by a rate limit ({})", why);
        long now = System.nanoTime();
        long last = lastWarned.get();
        unwarned.incrementAndGet();
        if (now - last >= WARN_EVERY_NANOS && lastWarned.compareAndSet(last, now)) {
            LOG.warn("{} recovery requests were refused by the rate limits (http.rate.per.address {},"
                    + " http.rate.per.username {} a minute, or no free worker); the next warning comes in a minute at"
                    + " the earliest", unwarned.getAndSet(0), byAddress.limit(), byUsername.limit());
        }
    }

    // ---- who asks

    /** @return the source address, for the audit log */
    private static String source(HttpServerExchange exchange) {
        InetSocketAddress a = exchange.getSourceAddress();
        return a == null || a.getAddress() == null ? "unknown" : a.getAddress().getHostAddress();
    }

    /**
     * @return the key an address is counted under: an IPv4 address, or an IPv6 address's /64 (one subscriber's
     *     network, in which a client may take any of 2^64 addresses)
     */
    static String addressKey(HttpServerExchange exchange) {
        InetSocketAddress a = exchange.getSourceAddress();
        return addressKey(a == null ? null : a.getAddress());
    }

    static String addressKey(InetAddress ip) {
        if (ip == null) {
            return "unknown";
        }
        if (ip instanceof Inet6Address) {
            byte[] b = ip.getAddress();
            StringBuilder s = new StringBuilder(24);
            for (int i = 0; i < 8; i += 2) {
                s.append(Integer.toHexString((b[i] & 0xff) << 8 | b[i + 1] & 0xff)).append(':');
            }
            return s.append(":/64").toString();
        }
        return ip.getHostAddress();
    }

    /**
     * The time a client has to send its body once its headers are in: Undertow's parse timeout ends with the
     * headers, and its idle timeout would also close kept-alive connections between requests. A deadline, not an
     * idle timer, so a body trickled byte by byte is bounded too. The callbacks and the timer run on the
     * connection's IO thread.
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

        /** @return whether the deadline passed or the body was already taken */
        boolean over() {
            return done;
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
                LOG.debug("Closing a recovery connection from {}: its request body did not arrive within {} ms",
                        source(exchange), bodyTimeoutMillis);
                IoUtils.safeClose(exchange.getConnection());
            }
        }
    }
}
