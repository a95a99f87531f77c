package org.mqttwarden.crypto.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.KeyLookup;
import org.mqttwarden.crypto.session.Session;

/**
 * The responder's sessions, per initiator, and the keys its envelopes are opened with (looked up by the session's
 * key id, ENVELOPE.md section 10).
 *
 * <p>Per peer there are three kinds of session:
 * <ul>
 * <li><em>pending</em>: answered, but no message under it opened yet (at most {@value #MAX_PENDING}, the oldest
 * destroyed first, each destroyed after the grace period). A hello replayed by someone else also ends here: its
 * session is never confirmed, because only the initiator that made the hello can compute its keys, and it
 * displaces nothing in use.</li>
 * <li><em>current</em>: the newest session a message was opened under. The first message opened under a pending
 * session makes it current; pending ones older than it are destroyed (the initiator has moved past them).</li>
 * <li><em>previous</em>: the current one before that, kept for {@code grace} after the switch so that messages
 * still in flight under it open, then destroyed. A further switch destroys it at once.</li>
 * </ul>
 * A current session older than the rekey age plus the grace is destroyed too (its initiator should have renewed
 * it), so an idle peer's keys do not live on. "Destroyed" means {@link Session#destroy()}: its keys are zeroed and
 * its key id is forgotten, so its envelopes are {@code UNKNOWN_KEY} from then on.
 *
 * <p>Thread-safe (one lock; each call does a map look-up and, at most once a second, a pass over all peers).
 */
final class SessionTable implements KeyLookup {

    static final int MAX_PENDING = 4;

    /** Whether a message opened under a session key may be taken as its peer's. */
    enum Verdict {
        /** The session's peer sealed it. */
        OK,
        /** Sealed under the session's key but naming another sender: only the peer has that key, so it lied. */
        WRONG_SENDER,
        /** The session was destroyed meanwhile. */
        GONE
    }

    private static final class Entry {
        final Session session;
        final EnvelopeKey key;
        final String keyId;
        final Instant created;

        Entry(Session session, Instant created) {
            this.session = session;
            byte[] k = session.receiveKey();
            this.key = EnvelopeKey.of(k);
            Arrays.fill(k, (byte) 0);
            this.keyId = session.keyId();
            this.created = created;
        }
    }

    private static final class Peer {
        final ArrayDeque<Entry> pending = new ArrayDeque<>();
        Entry current;
        Entry previous;
        Instant previousUntil;
    }

    private final Clock clock;
    private final Duration grace;
    private final Duration maxAge;
    private final Consumer<Session> onDestroy;
    private final Map<String, Entry> byKeyId = new HashMap<>();
    private final Map<String, Peer> byPeer = new HashMap<>();
    private Instant nextSweep = Instant.MIN;

    /**
     * @param grace how long a previous session still opens after the switch, and a pending one waits for its first
     *        message
     * @param maxAge the rekey age: a current session older than this plus the grace is destroyed
     */
    SessionTable(Clock clock, Duration grace, Duration maxAge, Consumer<Session> onDestroy) {
        this.clock = clock;
        this.grace = grace;
        this.maxAge = maxAge;
        this.onDestroy = onDestroy;
    }

    /** Adds the session of a handshake just answered, as pending. */
    synchronized void offer(Session session) {
        Instant now = clock.instant();
        Entry e = new Entry(session, now);
        Peer p = byPeer.computeIfAbsent(session.peer(), k -> new Peer());
        p.pending.addLast(e);
        byKeyId.put(e.keyId, e);
        while (p.pending.size() > MAX_PENDING) {
            drop(p.pending.removeFirst());
        }
        sweepAll(now);
    }

    @Override
    public synchronized Optional<EnvelopeKey> find(String keyId) {
        Entry e = byKeyId.get(keyId);
        if (e == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        sweep(e.session.peer(), now);
        sweepAll(now);
        return byKeyId.get(keyId) == e ? Optional.of(e.key) : Optional.empty();
    }

    /**
     * Called when a message sealed under {@code keyId} opened: checks that its sender is the session's peer and, for
     * a pending session, makes it current.
     */
    synchronized Verdict opened(String keyId, String senderId) {
        Entry e = byKeyId.get(keyId);
        if (e == null) {
            return Verdict.GONE;
        }
        if (!e.session.peer().equals(senderId)) {
            return Verdict.WRONG_SENDER;
        }
        Peer p = byPeer.get(senderId);
        if (p.pending.contains(e)) {
            while (p.pending.peekFirst() != e) {
                drop(p.pending.removeFirst());
            }
            p.pending.removeFirst();
            if (p.previous != null) {
                drop(p.previous);
            }
            p.previous = p.current;
            p.previousUntil = clock.instant().plus(grace);
            p.current = e;
        }
        return Verdict.OK;
    }

    /** @return the key ids of the sessions that open now, for tests */
    synchronized List<String> liveKeyIds() {
        return new ArrayList<>(byKeyId.keySet());
    }

    /** Destroys every session. */
    synchronized void clear() {
        for (Entry e : new ArrayList<>(byKeyId.values())) {
            drop(e);
        }
        byPeer.clear();
    }

    private void sweepAll(Instant now) {
        if (now.isBefore(nextSweep)) {
            return;
        }
        nextSweep = now.plusSeconds(1);
        for (String peer : new ArrayList<>(byPeer.keySet())) {
            sweep(peer, now);
        }
    }

    private void sweep(String peer, Instant now) {
        Peer p = byPeer.get(peer);
        if (p == null) {
            return;
        }
        if (p.previous != null && !now.isBefore(p.previousUntil)) {
            drop(p.previous);
            p.previous = null;
        }
        for (Iterator<Entry> i = p.pending.iterator(); i.hasNext();) {
            Entry e = i.next();
            if (!now.isBefore(e.created.plus(grace))) {
                i.remove();
                drop(e);
            }
        }
        if (p.current != null && !now.isBefore(p.current.created.plus(maxAge).plus(grace))) {
            drop(p.current);
            p.current = null;
        }
        if (p.current == null && p.previous == null && p.pending.isEmpty()) {
            byPeer.remove(peer);
        }
    }

    private void drop(Entry e) {
        byKeyId.remove(e.keyId);
        e.session.destroy();
        onDestroy.accept(e.session);
    }
}
