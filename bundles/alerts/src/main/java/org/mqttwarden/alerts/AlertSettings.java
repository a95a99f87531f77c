package org.mqttwarden.alerts;

import java.util.ArrayList;
import java.util.List;

/**
 * The detection thresholds, windows and rate limits of {@link AlertRules} and {@link AlertLimiter}, read from
 * {@link AlertDetector.Config} (keys {@code alert.*} of PID {@code org.mqttwarden.alerts}).
 *
 * @param bruteFailures failed logins on one username within {@code bruteWindowMinutes} that raise
 *     {@code alert.brute-force} (a lock by the lockout rules raises it too); 0: only locks do
 * @param sprayUsernames distinct usernames failing from one source within {@code sprayWindowMinutes} that
 *     raise {@code alert.password-spraying}; 0: off
 * @param stuffingAccounts distinct usernames failing gateway-wide within {@code stuffingWindowMinutes} ...
 * @param stuffingSources ... from at least this many distinct sources, that raise
 *     {@code alert.credential-stuffing}; 0 (either): off
 * @param deniedCount ACL denials of publish or subscribe by one client id within {@code deniedWindowSeconds}
 *     that raise {@code alert.denied-burst}; 0: off
 * @param deniedRead whether READ denials (deliveries) count too
 * @param loginFailures failed logins of a username within {@code loginWindowMinutes} after which its
 *     successful login raises {@code alert.login-after-failures}; 0: off
 * @param newClient whether a login from a client id or address never seen for the account raises
 *     {@code alert.new-client}
 * @param seenPerAccount client ids (and, separately, addresses) remembered per account, least recently used
 *     forgotten first
 * @param cooldownMinutes at most one alert per (type, subject) in this many minutes; the rest are counted
 *     into the next one's {@code suppressed} detail
 * @param maxPerMinute at most this many alerts per minute gateway-wide; the overflow becomes one
 *     {@code alert.suppressed} alert
 * @param maxTracked usernames, sources, client ids and rate-limit keys tracked at most, each (memory bound;
 *     the least recently active are forgotten first)
 * @param recentMax alerts kept in memory for {@code warden:alert-list}
 * @param messageCount protected messages rejected by warden-crypto's verifier (tampered, replayed, stale, under
 *     an unknown key, malformed) gateway-wide within {@code messageWindowSeconds} that raise
 *     {@code alert.message-burst}; 0: off
 * @param messageWindowSeconds window of {@code messageCount}, in seconds
 */
public record AlertSettings(int bruteFailures, int bruteWindowMinutes, int sprayUsernames, int sprayWindowMinutes,
        int stuffingAccounts, int stuffingSources, int stuffingWindowMinutes, int deniedCount,
        int deniedWindowSeconds, boolean deniedRead, int loginFailures, int loginWindowMinutes, boolean newClient,
        int seenPerAccount, int cooldownMinutes, int maxPerMinute, int maxTracked, int recentMax, int messageCount,
        int messageWindowSeconds) {

    /** The shipped settings (those of {@link AlertDetector.Config}'s defaults). */
    public static final AlertSettings DEFAULTS = new AlertSettings(10, 15, 5, 15, 20, 10, 15, 10, 60, false, 3, 15,
            true, 16, 5, 60, 10_000, 500, 5, 60);

    static AlertSettings of(AlertDetector.Config c) {
        return new AlertSettings(c.alert_brute_failures(), c.alert_brute_window_minutes(), c.alert_spray_usernames(),
                c.alert_spray_window_minutes(), c.alert_stuffing_accounts(), c.alert_stuffing_sources(),
                c.alert_stuffing_window_minutes(), c.alert_denied_count(), c.alert_denied_window_seconds(),
                c.alert_denied_read(), c.alert_login_failures(), c.alert_login_window_minutes(),
                c.alert_new_client(), c.alert_seen_per_account(), c.alert_cooldown_minutes(),
                c.alert_max_per_minute(), c.alert_max_tracked(), c.alert_recent_max(), c.alert_message_count(),
                c.alert_message_window_seconds());
    }

    /**
     * @return one sentence per invalid value (negative counts, windows under 1, bounds out of range); empty when
     *     valid
     */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        nonNegative(p, "alert.brute.failures", bruteFailures);
        nonNegative(p, "alert.spray.usernames", sprayUsernames);
        nonNegative(p, "alert.stuffing.accounts", stuffingAccounts);
        nonNegative(p, "alert.stuffing.sources", stuffingSources);
        nonNegative(p, "alert.denied.count", deniedCount);
        nonNegative(p, "alert.login.failures", loginFailures);
        nonNegative(p, "alert.cooldown.minutes", cooldownMinutes);
        nonNegative(p, "alert.message.count", messageCount);
        positive(p, "alert.message.window.seconds", messageWindowSeconds);
        positive(p, "alert.brute.window.minutes", bruteWindowMinutes);
        positive(p, "alert.spray.window.minutes", sprayWindowMinutes);
        positive(p, "alert.stuffing.window.minutes", stuffingWindowMinutes);
        positive(p, "alert.denied.window.seconds", deniedWindowSeconds);
        positive(p, "alert.login.window.minutes", loginWindowMinutes);
        positive(p, "alert.max.per.minute", maxPerMinute);
        if (seenPerAccount < 1 || seenPerAccount > 1024) {
            p.add("alert.seen.per.account must be 1 to 1024, not " + seenPerAccount);
        }
        if (maxTracked < 100 || maxTracked > 10_000_000) {
            p.add("alert.max.tracked must be 100 to 10000000, not " + maxTracked);
        }
        if (recentMax < 1 || recentMax > 100_000) {
            p.add("alert.recent.max must be 1 to 100000, not " + recentMax);
        }
        if (Math.max(bruteFailures, Math.max(sprayUsernames, Math.max(stuffingAccounts,
                Math.max(stuffingSources, Math.max(deniedCount, Math.max(loginFailures, messageCount)))))) > 10_000) {
            p.add("alert thresholds must be at most 10000");
        }
        return p;
    }

    private static void nonNegative(List<String> p, String key, int v) {
        if (v < 0) {
            p.add(key + " must be 0 or more, not " + v);
        }
    }

    private static void positive(List<String> p, String key, int v) {
        if (v < 1) {
            p.add(key + " must be 1 or more, not " + v);
        }
    }
}
