package org.mqttwarden.broker.watch;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.mqttwarden.api.auth.ClientAddressResolver;

/**
 * Which address each client connects from, as the broker's log tells it: the {@link ClientAddressResolver} of
 * warden-broker. Fed one {@link LogLine} at a time by the log watcher's thread, asked by the decision path; one
 * monitor, held for a map look-up or a scan of the pending connections (at most {@value #MAX_PENDING}), never
 * for I/O.
 *
 * <p><b>The ordering problem.</b> Mosquitto asks go-auth ({@code /user}) while it handles the CONNECT packet,
 * and logs {@code New client connected from A:P as ID} only once the login succeeded; a refused login is logged
 * after the answer, on 2.0.11 without the client id. What the log does hold before {@code /user} is
 * {@code New connection from A:P on port L.}, written (and flushed) when the TCP connection is accepted, before
 * the TLS handshake and the CONNECT packet. So the first {@code /user} of a connection is answered from the
 * <em>pending</em> connections, those accepted and not yet logged in nor ended:
 * <ul>
 * <li>when every pending connection (not already matched to another client id) comes from one address, that is
 * the address: the connection being checked is one of them. The client id is then remembered with that pending
 * connection, so the same connection's {@code /superuser} and {@code /acl} before its "connected" line, and a
 * later 2.0.x "Client ID disconnected, not authorised.", find it;</li>
 * <li>when they come from several addresses, the answer is {@code null} (unknown): nothing in {@code /user}
 * says which one it is, and a wrong address is worse than none (it would throttle an innocent source);</li>
 * <li>once the log says {@code New client connected from A:P as ID}, the client id maps to A until the log says
 * it left; a later connection with the same id replaces it (Mosquitto takes the session over silently).</li>
 * </ul>
 *
 * <p><b>Limits, honestly.</b> (1) Concurrent connections from different addresses make the first {@code /user}
 * unknown; on a gateway where devices connect one at a time it is known. (2) The "New connection" line must have
 * been read when the question comes: {@link LogWatch#addressOf} reads the log's newest bytes first, on the caller's
 * thread. When that read cannot be made (the follower's thread held the file for more than 1 ms) and the follower
 * lags, an older pending connection from another address could be the only candidate and be given; measured
 * without the read this happened (3 of 40 first logins), with it never in the runs of FirstLoginAddressTest. Pending
 * connections are forgotten after {@value #PENDING_TTL_SECONDS} s (a port scanner's half-open connection does not
 * linger), and all of them when the follower had to skip
 * part of the log. (3) A refused 2.0.11 login ends with {@code Client <unknown> ...}: when its pending connections
 * come from several addresses it is not known which one ended, and they stay until they expire (the set is then
 * ambiguous, never wrong). (4) A client that reconnects with the same id before the log says the old connection
 * ended is answered with the old address for its first {@code /user}. (5) It needs the log lines the generated
 * configuration turns on ({@code connection_messages true}, {@code log_type notice}); without them nothing is known.
 */
final class Connections implements ClientAddressResolver {

    static final int MAX_CLIENTS = 65_536;
    static final int MAX_PENDING = 4_096;
    static final int MAX_ATTRIBUTED = 4_096;
    static final long PENDING_TTL_SECONDS = 30;

    /** A connection the broker accepted that has not logged in or ended yet. */
    private static final class Pending {
        final String address;
        final int port;
        final long acceptedMillis;
        String clientId;

        Pending(String address, int port, long acceptedMillis) {
            this.address = address;
            this.port = port;
            this.acceptedMillis = acceptedMillis;
        }
    }

    private record Conn(String address, int port) {
    }

    private final Clock clock;
    private final Map<String, Conn> connected = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Conn> eldest) {
            return size() > MAX_CLIENTS;
        }
    };
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<String, Pending> attributed = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pending> eldest) {
            return size() > MAX_ATTRIBUTED;
        }
    };

    final LongAdder fromConnected = new LongAdder();
    final LongAdder fromPending = new LongAdder();
    final LongAdder ambiguous = new LongAdder();
    final LongAdder unknown = new LongAdder();
    final LongAdder pendingDropped = new LongAdder();

    Connections(Clock clock) {
        this.clock = clock;
    }

    // ---- fed by the watcher

    /**
     * Applies one line.
     *
     * @return the address the line is about, when known (for the flood and protocol-error counts), else null
     */
    synchronized String apply(LogLine line) {
        long now = clock.millis();
        expire(now);
        switch (line.kind()) {
            case ACCEPTED -> {
                if (pending.size() >= MAX_PENDING) {
                    forget(pending.removeFirst());
                    pendingDropped.increment();
                }
                pending.addLast(new Pending(line.address(), line.remotePort(), now));
                return line.address();
            }
            case CONNECTED -> {
                Pending p = removePending(line.address(), line.remotePort());
                if (p != null) {
                    forget(p);
                }
                Pending earlier = attributed.remove(line.clientId());
                if (earlier != null) {
                    earlier.clientId = null;
                }
                connected.remove(line.clientId());
                connected.put(line.clientId(), new Conn(line.address(), line.remotePort()));
                return line.address();
            }
            case BROKER_RESTART -> {
                connected.clear();
                resetPending();
                return null;
            }
            default -> {
                return ended(line);
            }
        }
    }

    /** A connection ended (left, refused, dropped): forget it, from what the line tells. */
    private String ended(LogLine line) {
        String id = line.clientId();
        if (line.address() != null) {
            // 2.1 names the endpoint: exact
            Pending p = removePending(line.address(), line.remotePort());
            if (p != null) {
                forget(p);
            }
            if (id != null) {
                connected.remove(id, new Conn(line.address(), line.remotePort()));
            }
            return line.address();
        }
        if (id != null) {
            if (line.kind() != LogLine.Kind.NOT_AUTHORISED) {
                Conn c = connected.remove(id);
                if (c != null) {
                    return c.address();
                }
            }
            Pending p = attributed.remove(id);
            if (p != null) {
                pending.remove(p);
                return p.address;
            }
            if (line.kind() != LogLine.Kind.NOT_AUTHORISED) {
                return null;
            }
        }
        return endedUnknown(line.kind() == LogLine.Kind.NOT_AUTHORISED);
    }

    /**
     * {@code Client <unknown> ...} (or a refused client id nobody asked about): a connection that never logged in
     * ended; which one is known when every pending connection comes from one address, or, for a refused login,
     * when exactly one pending connection had its {@code /user} answered from here.
     */
    private String endedUnknown(boolean refused) {
        Pending first = pending.peekFirst();
        if (first == null) {
            return null;
        }
        Pending asked = null;
        boolean oneAddress = true;
        int askedCount = 0;
        for (Pending p : pending) {
            oneAddress &= p.address.equals(first.address);
            if (p.clientId != null) {
                asked = p;
                askedCount++;
            }
        }
        Pending gone;
        if (refused && askedCount == 1) {
            gone = asked; // a refused login: the one connection whose /user was answered from here
        } else if (oneAddress) {
            gone = first;
        } else {
            return null;
        }
        pending.remove(gone);
        forget(gone);
        return gone.address;
    }

    /** Forgets every pending connection: part of the log was skipped, so which are still pending is unknown. */
    synchronized void resetPending() {
        pending.clear();
        attributed.clear();
    }

    /** Forgets everything: the broker restarted, or the watcher stopped. */
    synchronized void clear() {
        resetPending();
        connected.clear();
    }

    // ---- asked by the decision path

    /** @return whether the client id is connected or matched to a pending connection (answered from memory) */
    synchronized boolean knows(String clientId) {
        return connected.containsKey(clientId) || attributed.containsKey(clientId);
    }

    /**
     * @return the address of the client's current connection, or of the one pending connection it must be; null
     *     when unknown or ambiguous (see the class comment)
     */
    @Override
    public synchronized String addressOf(String clientId) {
        if (clientId == null || clientId.isEmpty()) {
            return null;
        }
        Conn c = connected.get(clientId);
        if (c != null) {
            fromConnected.increment();
            return c.address();
        }
        expire(clock.millis());
        Pending mine = attributed.get(clientId);
        if (mine != null) {
            fromPending.increment();
            return mine.address;
        }
        Pending candidate = null;
        for (Pending p : pending) {
            if (p.clientId != null) {
                continue;
            }
            if (candidate == null) {
                candidate = p;
            } else if (!candidate.address.equals(p.address)) {
                ambiguous.increment();
                return null;
            }
        }
        if (candidate == null) {
            unknown.increment();
            return null;
        }
        candidate.clientId = clientId;
        attributed.put(clientId, candidate);
        fromPending.increment();
        return candidate.address;
    }

    /** @return the clients the log shows connected, by client id, with their address (a copy) */
    synchronized Map<String, String> connectedClients() {
        Map<String, String> copy = new LinkedHashMap<>();
        connected.forEach((id, c) -> copy.put(id, c.address()));
        return copy;
    }

    /** @return the pending connections' addresses, oldest first (a copy) */
    synchronized List<String> pendingAddresses() {
        return pending.stream().map(p -> p.address).toList();
    }

    // ---- internals

    private Pending removePending(String address, int port) {
        for (Iterator<Pending> i = pending.iterator(); i.hasNext(); ) {
            Pending p = i.next();
            if (p.port == port && p.address.equals(address)) {
                i.remove();
                return p;
            }
        }
        return null;
    }

    private void forget(Pending p) {
        if (p.clientId != null) {
            attributed.remove(p.clientId, p);
        }
    }

    private void expire(long now) {
        long oldest = now - PENDING_TTL_SECONDS * 1000;
        while (!pending.isEmpty() && pending.peekFirst().acceptedMillis < oldest) {
            forget(pending.removeFirst());
        }
    }
}
