package org.mqttwarden.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;

/**
 * Who may call the backend: every request but {@code /health} passes here first, on the IO thread,
 * before its body is read. Two checks, each off unless configured, both applied when both are on:
 * a key in a header ({@link CallerKey}, for go-auth builds that send static headers) and the OS
 * user owning the peer's socket ({@link PeerUsers}, for those that cannot). A refusal is counted
 * and answered 403 by the caller with nothing else on the wire; a WARN goes to the log at most once
 * a minute, with the count since the last one and never the value presented.
 */
final class CallerCheck {

    private static final Logger LOG = LoggerFactory.getLogger(CallerCheck.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** Why a caller was refused: the label of {@code warden_http_callers_refused_total}. */
    enum Refusal {
        KEY("key"),
        OS_USER("os_user");

        final String label;

        Refusal(String label) {
            this.label = label;
        }
    }

    private final HttpString header;
    private final CallerKey key;
    private final PeerUsers users;
    private final LongAdder[] refused = {new LongAdder(), new LongAdder()};
    private final LongAdder lookUps = new LongAdder();
    private final AtomicLong unwarned = new AtomicLong();
    private final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    /**
     * @param header the header carrying the key; ignored when {@code key} is null
     * @param key the key required, or {@code null} when no key is required
     * @param users the OS users whose connections are served, or {@code null} for any
     */
    CallerCheck(HttpString header, CallerKey key, PeerUsers users) {
        this.header = header;
        this.key = key;
        this.users = users;
    }

    /** @return a check that lets every caller through */
    static CallerCheck open() {
        return new CallerCheck(null, null, null);
    }

    /**
     * @return whether the connection's OS user must be looked up ({@link #lookUp}) before
     *         {@link #check} can pass it: only users are restricted and not yet for this connection
     */
    boolean needsLookUp(HttpServerExchange exchange) {
        return users != null && users.known(exchange.getConnection()) == null;
    }

    /**
     * Looks up the OS user owning the connection's peer socket. Blocking (reads {@code /proc}): call
     * it on a thread of its own, then {@link #keep} the answer on the IO thread.
     *
     * @return the uid, or {@link PeerUsers#UNKNOWN}
     */
    int lookUp(ServerConnection connection) {
        lookUps.increment();
        return users.lookUp(connection);
    }

    /** @return OS-user look-ups made since the listener started: one per connection at most */
    long lookUps() {
        return lookUps.sum();
    }

    /** Keeps a {@link #lookUp} answer on the connection; call it on the connection's IO thread. */
    void keep(ServerConnection connection, int uid) {
        users.keep(connection, uid);
    }

    /**
     * Decides whether the request's caller may be served, without blocking. The OS user is the one
     * kept on the connection (a connection not looked up is refused); the key is checked on every
     * request (a hash of the presented value and a constant-time comparison). A header given twice
     * is refused.
     *
     * @return {@code null} when the caller may be served, else why not (already counted)
     */
    Refusal check(HttpServerExchange exchange) {
        if (users != null) {
            int uid = users.peerUid(exchange.getConnection());
            if (!users.allows(uid)) {
                return refuse(Refusal.OS_USER, exchange, uid);
            }
        }
        if (key != null) {
            HeaderValues values = exchange.getRequestHeaders().get(header);
            if (values == null || values.size() != 1 || !key.matches(values.getFirst())) {
                return refuse(Refusal.KEY, exchange, 0);
            }
        }
        return null;
    }

    private Refusal refuse(Refusal why, HttpServerExchange exchange, int uid) {
        refused[why.ordinal()].increment();
        unwarned.incrementAndGet();
        long now = System.nanoTime();
        long last = lastWarned.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarned.compareAndSet(last, now)) {
            // the last refusal's reason stands for the lot; the counters on /metrics tell them apart
            LOG.warn("{} requests to the go-auth listener were refused (403), the last from {}: {}; the next warning"
                    + " comes in a minute at the earliest (warden_http_callers_refused_total counts them all)",
                    unwarned.getAndSet(0), exchange.getSourceAddress(), why == Refusal.KEY
                            ? "no valid " + header + " header"
                            : uid == PeerUsers.UNKNOWN ? "its OS user cannot be known (not a loopback connection"
                                    + " seen in /proc/net/tcp)" : "OS user uid " + Integer.toUnsignedString(uid)
                                    + " is not in allowed.os.users");
        } else {
            LOG.debug("Refused a caller from {}: {}", exchange.getSourceAddress(), why.label);
        }
        return why;
    }

    /** @return requests refused for {@code why} since the listener started */
    long refused(Refusal why) {
        return refused[why.ordinal()].sum();
    }

    /** @return whether a key is required */
    boolean keyRequired() {
        return key != null;
    }

    /** @return whether only some OS users are served */
    boolean usersRestricted() {
        return users != null;
    }

    /** @return what is checked, for the start-up log line; never the key */
    String describe() {
        if (key == null && users == null) {
            return "callers not checked";
        }
        StringBuilder s = new StringBuilder("callers must ");
        if (key != null) {
            s.append("send the key in ").append(header);
        }
        if (users != null) {
            s.append(key != null ? " and " : "").append("be OS users ").append(users.description());
        }
        return s.toString();
    }
}
