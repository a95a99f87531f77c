package org.mqttwarden.alerts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.github.benmanes.caffeine.cache.Cache;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.lockout.LockoutEvent;

/**
 * The attack patterns, judged from security events and lockout events in the order they happened. Windows
 * slide over the events' own times, so a replay is judged as it happened. Memory is bounded: each map holds at
 * most {@link AlertSettings#maxTracked()} keys (the least used evicted first) and each window at most
 * as many entries as its threshold needs.
 *
 * <table>
 * <caption>Alerts (reason codes)</caption>
 * <tr><th>type</th><th>severity</th><th>outcome</th><th>subject</th><th>raised when</th></tr>
 * <tr><td>{@code alert.brute-force}</td><td>warning</td><td>DENY</td><td>username</td><td>the lockout rules lock
 * a username, or it has {@code bruteFailures} failed logins within the window</td></tr>
 * <tr><td>{@code alert.password-spraying}</td><td>warning</td><td>DENY</td><td>{@code client:<id>} or
 * {@code addr:<ip>}</td><td>one source fails on {@code sprayUsernames} distinct usernames within the
 * window</td></tr>
 * <tr><td>{@code alert.credential-stuffing}</td><td>critical</td><td>DENY</td><td>{@code gateway}</td><td>
 * {@code stuffingAccounts} distinct usernames fail from {@code stuffingSources} distinct sources (the address
 * when known, else the client id) within the window</td></tr>
 * <tr><td>{@code alert.denied-burst}</td><td>warning</td><td>DENY</td><td>{@code client:<id>}</td><td>one
 * client id is denied {@code deniedCount} publishes or subscribes (reads too if {@code deniedRead}) within
 * the window</td></tr>
 * <tr><td>{@code alert.login-after-failures}</td><td>critical</td><td>ALLOW</td><td>username</td><td>a
 * username logs in after {@code loginFailures} failures within the window (a guessed password?)</td></tr>
 * <tr><td>{@code alert.new-client}</td><td>info</td><td>ALLOW</td><td>username</td><td>an account logs in from
 * a client id or address never remembered for it; not on its first-ever login</td></tr>
 * </table>
 *
 * <p>A failed login is any {@code AUTH} event with outcome DENY (wrong password, unknown user, refused by a
 * lock). A successful login ends the username's run of failures. Events of type {@code ALERT} are ignored.
 * Not thread-safe by design beyond its own lock: the detector calls it from one thread.
 */
final class AlertRules {

    static final String BRUTE_FORCE = "alert.brute-force";
    static final String SPRAYING = "alert.password-spraying";
    static final String STUFFING = "alert.credential-stuffing";
    static final String DENIED_BURST = "alert.denied-burst";
    static final String LOGIN_AFTER_FAILURES = "alert.login-after-failures";
    static final String NEW_CLIENT = "alert.new-client";
    static final String MESSAGE_BURST = "alert.message-burst";
    static final String SUPPRESSED = "alert.suppressed";

    private static final int SAMPLE = 10;

    private final SeenClients seen;
    private volatile AlertSettings settings;

    private final Cache<String, Windows.Stamps> failures;
    private final Cache<String, Windows.Distinct> sprays;
    private final Cache<String, Windows.Stamps> denials;
    private final Cache<String, Windows.Distinct> deniedTopics;
    private final Windows.Distinct stuffedAccounts = new Windows.Distinct();
    private final Windows.Distinct stuffingSources = new Windows.Distinct();
    private final Windows.Stamps rejectedMessages = new Windows.Stamps();
    private final Windows.Distinct rejectedTopics = new Windows.Distinct();
    private final Windows.Distinct rejectedReasons = new Windows.Distinct();

    /** @param seen where client ids per account are remembered; {@code null}: no new-client alerts */
    AlertRules(AlertSettings settings, SeenClients seen) {
        this.settings = settings;
        this.seen = seen;
        this.failures = Windows.bounded(settings.maxTracked());
        this.sprays = Windows.bounded(settings.maxTracked());
        this.denials = Windows.bounded(settings.maxTracked());
        this.deniedTopics = Windows.bounded(settings.maxTracked());
    }

    synchronized void settings(AlertSettings s) {
        this.settings = s;
        Windows.cap(failures, s.maxTracked());
        Windows.cap(sprays, s.maxTracked());
        Windows.cap(denials, s.maxTracked());
        Windows.cap(deniedTopics, s.maxTracked());
    }

    AlertSettings settings() {
        return settings;
    }

    /** @return the keys forgotten because a map was full, since creation */
    long evictions() {
        return Windows.evictions(failures) + Windows.evictions(sprays) + Windows.evictions(denials)
                + Windows.evictions(deniedTopics);
    }

    /** @return keys tracked now (usernames, sources, client ids) */
    synchronized long tracked() {
        return Windows.size(failures) + Windows.size(sprays) + Windows.size(denials);
    }

    /** @return the alerts {@code e} raises (before rate limiting); empty for most events */
    synchronized List<Alert> onEvent(SecurityEvent e) {
        List<Alert> out = new ArrayList<>(1);
        if (e.type() == EventType.AUTH && e.outcome() == Outcome.DENY) {
            failedLogin(e, out);
        } else if (e.type() == EventType.AUTH && e.outcome() == Outcome.ALLOW && e.username() != null) {
            login(e, out);
        } else if (e.type() == EventType.ACL && e.outcome() == Outcome.DENY) {
            denied(e, out);
        } else if (e.type() == EventType.MESSAGE && e.outcome() == Outcome.DENY
                && e.reason().startsWith(Reasons.MESSAGE_PREFIX)) {
            rejectedMessage(e, out);
        } else if (e.type() == EventType.ADMIN_CHANGE && e.outcome() == Outcome.ALLOW && e.username() != null
                && (AdminChange.ACCOUNT_CREATE.equals(e.reason()) || AdminChange.ACCOUNT_REMOVE.equals(e.reason()))) {
            failures.invalidate(e.username());
            if (seen != null) {
                seen.forget(e.username());
            }
        }
        return out;
    }

    /** @return {@code alert.brute-force} for a lock by the lockout rules; empty for anything else */
    synchronized List<Alert> onLockout(LockoutEvent e) {
        if (e.kind() != LockoutEvent.Kind.ACCOUNT_LOCKED || e.username() == null) {
            return List.of();
        }
        Map<String, String> d = new TreeMap<>();
        d.put("cause", "account-locked");
        d.put("failures", Integer.toString(e.failures()));
        d.put("lock_count", Integer.toString(e.lockCount()));
        d.put("locked_until", e.until() == null ? "permanent" : e.until().toString());
        if (e.account() != null) {
            d.put("account", e.account() ? "yes" : "no");
        }
        return List.of(new Alert(e.time(), BRUTE_FORCE, Severity.WARNING, Outcome.DENY, e.username(), e.username(),
                e.clientId(), e.address(), d));
    }

    private void failedLogin(SecurityEvent e, List<Alert> out) {
        AlertSettings s = settings;
        long t = e.time().toEpochMilli();
        String user = e.username();
        if (user == null || user.isEmpty()) {
            return;
        }
        int need = Math.max(s.bruteFailures(), s.loginFailures());
        if (need > 0) {
            Windows.Stamps f = failures.get(user, k -> new Windows.Stamps());
            f.add(t, need);
            int n = f.countAfter(t - s.bruteWindowMinutes() * 60_000L);
            if (s.bruteFailures() > 0 && n >= s.bruteFailures()) {
                out.add(new Alert(e.time(), BRUTE_FORCE, Severity.WARNING, Outcome.DENY, user, user, e.clientId(),
                        e.address(), Map.of("cause", "failures", "failures", Integer.toString(n), "window_minutes",
                                Integer.toString(s.bruteWindowMinutes()))));
            }
        }
        if (s.sprayUsernames() > 0) {
            if (e.clientId() != null) {
                spray("client:" + e.clientId(), e, user, t, s, out);
            }
            if (e.address() != null) {
                spray("addr:" + e.address(), e, user, t, s, out);
            }
        }
        String source = e.address() != null ? "addr:" + e.address()
                : e.clientId() != null ? "client:" + e.clientId() : null;
        if (s.stuffingAccounts() > 0 && s.stuffingSources() > 0 && source != null) {
            stuffedAccounts.add(user, t, Math.max(s.stuffingAccounts(), SAMPLE));
            stuffingSources.add(source, t, Math.max(s.stuffingSources(), SAMPLE));
            long from = t - s.stuffingWindowMinutes() * 60_000L;
            int accounts = stuffedAccounts.countAfter(from);
            int sources = stuffingSources.countAfter(from);
            if (accounts >= s.stuffingAccounts() && sources >= s.stuffingSources()) {
                Map<String, String> d = new TreeMap<>();
                d.put("usernames", Integer.toString(accounts));
                d.put("sources", Integer.toString(sources));
                d.put("window_minutes", Integer.toString(s.stuffingWindowMinutes()));
                d.put("sample_usernames", stuffedAccounts.sample(from, SAMPLE));
                d.put("sample_sources", stuffingSources.sample(from, SAMPLE));
                out.add(new Alert(e.time(), STUFFING, Severity.CRITICAL, Outcome.DENY, "gateway", null, null, null,
                        d));
            }
        }
    }

    private void spray(String source, SecurityEvent e, String user, long t, AlertSettings s, List<Alert> out) {
        Windows.Distinct users = sprays.get(source, k -> new Windows.Distinct());
        users.add(user, t, Math.max(s.sprayUsernames(), SAMPLE));
        long from = t - s.sprayWindowMinutes() * 60_000L;
        int n = users.countAfter(from);
        if (n >= s.sprayUsernames()) {
            Map<String, String> d = new TreeMap<>();
            d.put("source", source);
            d.put("usernames", Integer.toString(n));
            d.put("window_minutes", Integer.toString(s.sprayWindowMinutes()));
            d.put("sample_usernames", users.sample(from, SAMPLE));
            out.add(new Alert(e.time(), SPRAYING, Severity.WARNING, Outcome.DENY, source, null,
                    source.startsWith("client:") ? e.clientId() : null,
                    source.startsWith("addr:") ? e.address() : null, d));
        }
    }

    private void login(SecurityEvent e, List<Alert> out) {
        AlertSettings s = settings;
        long t = e.time().toEpochMilli();
        String user = e.username();
        Windows.Stamps f = failures.asMap().remove(user);
        if (f != null && s.loginFailures() > 0) {
            int n = f.countAfter(t - s.loginWindowMinutes() * 60_000L);
            if (n >= s.loginFailures()) {
                out.add(new Alert(e.time(), LOGIN_AFTER_FAILURES, Severity.CRITICAL, Outcome.ALLOW, user, user,
                        e.clientId(), e.address(), Map.of("failures", Integer.toString(n), "window_minutes",
                                Integer.toString(s.loginWindowMinutes()))));
            }
        }
        if (s.newClient() && seen != null) {
            Map<String, String> d = new TreeMap<>();
            if (e.clientId() != null && seen.touch(user, "client", e.clientId(), t, s.seenPerAccount())
                    == SeenClients.Novelty.NEW) {
                d.put("new_client_id", e.clientId());
            }
            if (e.address() != null && seen.touch(user, "address", e.address(), t, s.seenPerAccount())
                    == SeenClients.Novelty.NEW) {
                d.put("new_address", e.address());
            }
            if (!d.isEmpty()) {
                out.add(new Alert(e.time(), NEW_CLIENT, Severity.INFO, Outcome.ALLOW, user, user, e.clientId(),
                        e.address(), d));
            }
        }
    }

    /** A message the verifier rejected: one gateway-wide window, whatever the topic (a flood may spread). */
    private void rejectedMessage(SecurityEvent e, List<Alert> out) {
        AlertSettings s = settings;
        if (s.messageCount() <= 0) {
            return;
        }
        long t = e.time().toEpochMilli();
        long from = t - s.messageWindowSeconds() * 1000L;
        rejectedMessages.add(t, s.messageCount());
        if (e.topic() != null) {
            rejectedTopics.add(e.topic(), t, SAMPLE);
        }
        rejectedReasons.add(e.reason(), t, SAMPLE);
        int n = rejectedMessages.countAfter(from);
        if (n >= s.messageCount()) {
            Map<String, String> detail = new TreeMap<>();
            detail.put("messages", Integer.toString(n));
            detail.put("window_seconds", Integer.toString(s.messageWindowSeconds()));
            detail.put("reasons", rejectedReasons.sample(from, SAMPLE));
            detail.put("sample_topics", rejectedTopics.sample(from, SAMPLE));
            out.add(new Alert(e.time(), MESSAGE_BURST, Severity.WARNING, Outcome.DENY, "gateway", null, null, null,
                    detail));
        }
    }

    private void denied(SecurityEvent e, List<Alert> out) {
        AlertSettings s = settings;
        Access a = e.access();
        if (s.deniedCount() <= 0 || a == null || (a == Access.READ && !s.deniedRead())) {
            return;
        }
        String key = e.clientId() != null ? "client:" + e.clientId()
                : e.username() != null ? "user:" + e.username() : null;
        if (key == null) {
            return;
        }
        long t = e.time().toEpochMilli();
        long from = t - s.deniedWindowSeconds() * 1000L;
        Windows.Stamps d = denials.get(key, k -> new Windows.Stamps());
        d.add(t, s.deniedCount());
        Windows.Distinct topics = deniedTopics.get(key, k -> new Windows.Distinct());
        if (e.topic() != null) {
            topics.add(e.topic(), t, 5);
        }
        int n = d.countAfter(from);
        if (n >= s.deniedCount()) {
            Map<String, String> detail = new TreeMap<>();
            detail.put("denials", Integer.toString(n));
            detail.put("window_seconds", Integer.toString(s.deniedWindowSeconds()));
            detail.put("access", a.name().toLowerCase(java.util.Locale.ROOT));
            detail.put("sample_topics", topics.sample(from, 5));
            out.add(new Alert(e.time(), DENIED_BURST, Severity.WARNING, Outcome.DENY, key, e.username(),
                    e.clientId(), e.address(), detail));
        }
    }
}
