package org.mqttwarden.alerts;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * Which successful logins may be left unjudged: the same user's previous login, from the same client id and
 * address, was judged (after every failure of the user so far and every change of its account), and nothing
 * of the user happened since. Then no rule can fire: no failures to follow ({@code alert.login-after-failures}),
 * the client id and address are remembered ({@code alert.new-client}). Spares a busy gateway the hand-off of
 * every reconnect of a known device. A login judged longer than {@value #QUIET_MAX_MS} ms ago is judged again
 * (refreshing when its client was last seen). Thread-safe: read on the decision path, written on both.
 */
final class QuietLogins {

    /** How long a judged login lets later identical logins of its user go unjudged. */
    static final long QUIET_MAX_MS = 10 * 60_000L;

    /** A login judged without alert state left behind. */
    private record Quiet(String clientId, String address, long seq, long at) {
    }

    /** Numbers the events that matter here, in the order they were accepted. */
    private final AtomicLong sequence = new AtomicLong();
    /**
     * Username to the number of its latest failed login or account change. Hand-written bound, not a cache:
     * forgetting one mark alone would let a login after that failure go unjudged, so when the marks overflow
     * every judged login is voided with them ({@link #unsettle}).
     */
    private final ConcurrentHashMap<String, Long> unsettled = new ConcurrentHashMap<>();
    /** Username to its latest judged login: a plain bounded cache (one forgotten is merely judged again). */
    private volatile Cache<String, Quiet> judged;
    /** Judged logins numbered below it are void (after the marks overflowed or the settings changed). */
    private volatile long floor;
    private volatile int maxTracked;

    QuietLogins(int maxTracked) {
        reset(maxTracked);
    }

    /** Voids every judged login (the settings changed: a rule may now fire where it did not). */
    void reset(int max) {
        this.maxTracked = max;
        this.floor = sequence.incrementAndGet() + 1;
        this.judged = Caffeine.newBuilder().maximumSize(max).executor(Runnable::run).build();
    }

    /** @return whether the successful login {@code e} can be left unjudged (see the class comment) */
    boolean quiet(SecurityEvent e) {
        // read before the floor: a mark cleared by an overflow is seen together with the floor raised before it
        Long u = unsettled.get(e.username());
        Quiet q = judged.getIfPresent(e.username());
        if (q == null || q.seq() < floor || (u != null && u >= q.seq())
                || !Objects.equals(q.clientId(), e.clientId()) || !Objects.equals(q.address(), e.address())) {
            return false;
        }
        long now = e.time().toEpochMilli();
        return now >= q.at() && now - q.at() <= QUIET_MAX_MS;
    }

    /** @return the number of a login handed over to be judged, for {@link #judged} */
    long next() {
        return sequence.incrementAndGet();
    }

    /** Marks that {@code user}'s next login must be judged: a failure or an account change came in. */
    void unsettle(String user) {
        long seq = sequence.incrementAndGet();
        unsettled.put(user, seq);
        if (unsettled.size() > maxTracked) {
            // bounded: everything judged before now is void, then the marks can go
            floor = seq + 1;
            judged.invalidateAll();
            unsettled.clear();
        }
    }

    /** On the alert thread, after the successful login {@code e} (number {@code seq}) was judged. */
    void judged(SecurityEvent e, long seq) {
        String user = e.username();
        unsettled.computeIfPresent(user, (k, v) -> v < seq ? null : v);
        judged.put(user, new Quiet(e.clientId(), e.address(), seq, e.time().toEpochMilli()));
    }
}
