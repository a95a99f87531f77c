package org.mqttwarden.alerts;

/**
 * Which client ids and addresses each account has logged in from, for {@code alert.new-client}. Bounded per
 * account; an implementation may block (database): {@link AlertRules} calls it on the detector's own thread.
 */
interface SeenClients {

    /** What a login from a client id or address is, for its account. */
    enum Novelty {
        /** The account has no login of this kind remembered: its first-ever login (no alert). */
        FIRST,
        /** Seen before. */
        KNOWN,
        /** Not seen before, though the account has logged in from others: worth an alert. */
        NEW
    }

    /**
     * Remembers (or refreshes) {@code value} for {@code username}, forgetting the least recently used beyond
     * the bound.
     *
     * @param kind {@code client} or {@code address}
     * @return what the login was before it was remembered
     */
    Novelty touch(String username, String kind, String value, long now, int perAccount);

    /** Forgets everything remembered for {@code username} (its account was created or removed). */
    void forget(String username);
}
