package org.mqttwarden.crypto.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recognises a QoS 1/2 redelivery by its MQTT packet identifier, since Paho MQTT v5 1.2.5 never hands the DUP flag
 * of an incoming PUBLISH to the application.
 *
 * <p>Why the packet id tells: a broker redelivers a message only after a reconnect into the same session, and then
 * under the packet identifier it had (MQTT 5, 4.4); Mosquitto does (checked by {@code SecureMqttClientTest}).
 * Anyone who republishes a copy of the payload, as an attacker would, makes the broker send a new PUBLISH with a new
 * packet identifier (Mosquitto counts them up per session, wrapping after 65 535). So a copy of an accepted message
 * (same authenticated sender and sequence number) is the broker's redelivery when it has QoS 1 or 2, the same packet
 * identifier, and comes on a later connection of the same broker session (every reconnect in between found the
 * session present). When the broker lost the session, packet identifiers start again from 1, so a copy after that
 * is a replay whatever its identifier.
 *
 * <p>What a mistake costs: the packet id is not authenticated, so a lying broker can make a replay look like a
 * redelivery; and a redelivered message that was still queued in Paho when the connection changed is numbered with
 * the new connection, so its redelivery looks like a replay. Both only relabel a message that is refused anyway
 * ({@code DUPLICATE} instead of {@code REPLAYED}, see {@code ReplayGuard}); neither ever makes one accepted.
 *
 * <p>Memory is bounded: the last {@value #CAPACITY} accepted QoS 1/2 messages (only messages unacknowledged at a
 * disconnect come back, and a broker has at most its receive maximum of those in flight). Thread-safe.
 */
final class Redeliveries {

    static final int CAPACITY = 4096;

    private record Key(String sender, long sequence) {
    }

    private record Arrival(int packetId, long connection, long brokerSession) {
    }

    private final Map<Key, Arrival> accepted = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Arrival> eldest) {
            return size() > CAPACITY;
        }
    };

    /**
     * @param connection the number of the connection the copy came on, increased for every (re)connect
     * @param brokerSession the number of the broker session, increased whenever a reconnect found it lost
     * @return whether this copy is the broker's redelivery of an accepted message (see the class comment)
     */
    synchronized boolean isRedelivery(String sender, long sequence, int packetId, int qos, long connection,
            long brokerSession) {
        if (qos == 0 || packetId == 0) {
            return false;
        }
        Arrival first = accepted.get(new Key(sender, sequence));
        return first != null && first.packetId() == packetId && connection > first.connection()
                && brokerSession == first.brokerSession();
    }

    /** Remembers how an accepted message came, if it could come again (QoS 1 or 2). */
    synchronized void accepted(String sender, long sequence, int packetId, int qos, long connection,
            long brokerSession) {
        if (qos > 0 && packetId != 0) {
            accepted.put(new Key(sender, sequence), new Arrival(packetId, connection, brokerSession));
        }
    }
}
