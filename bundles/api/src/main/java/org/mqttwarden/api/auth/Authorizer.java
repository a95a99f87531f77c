package org.mqttwarden.api.auth;

import org.osgi.annotation.versioning.ProviderType;

/** Answers go-auth's {@code /acl} question: may this client read, write or subscribe here. */
@ProviderType
public interface Authorizer {

    /**
     * Decides one access. Superusers are allowed everything; everyone else gets what their roles
     * and own rules allow, an explicit deny beating any allow, and a denial when nothing matches.
     *
     * @param client the asking client
     * @param topic the topic (READ, WRITE) or the topic filter (SUBSCRIBE), possibly
     *     {@code $share/<group>/<filter>}
     * @param access the access asked for
     * @return the decision with the deciding rule in {@link Decision#detail()}, never {@code null}
     * @throws WardenUnavailableException when the answer cannot be known
     */
    Decision authorize(ClientRef client, String topic, Access access);

    /**
     * The same decision as {@link #authorize}, but only when it can be given at once, without
     * blocking: from caches, with no store access and no event sink to wait for. Lets a caller on a
     * non-blocking thread (an HTTP IO thread) answer the common case without a thread hand-off.
     *
     * @return the decision, or {@code null} when it needs {@link #authorize} on a thread that may block
     */
    default Decision authorizeNow(ClientRef client, String topic, Access access) {
        return null;
    }

    /**
     * The decision {@link #authorize} would give now, from the store as it is, without caching it and without
     * publishing an event: for an admin asking "what would {@code /acl} answer, and which rule decides?"
     * ({@code warden:acl-check}), never for a client's request.
     *
     * @return the decision with the deciding rule in {@link Decision#detail()}, never {@code null}
     * @throws WardenUnavailableException when the answer cannot be known
     */
    Decision explain(ClientRef client, String topic, Access access);
}
