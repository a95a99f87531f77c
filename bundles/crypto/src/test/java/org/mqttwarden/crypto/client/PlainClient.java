package org.mqttwarden.crypto.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A plain Paho v5 client without keys: the eavesdropper on {@code #} and the attacker who publishes raw payloads
 * (what a compromised broker, bridge or subscriber can do).
 */
final class PlainClient implements AutoCloseable {

    /** One message as the plain client saw it, with the packet identifier it came under (0 for QoS 0). */
    record Seen(String topic, byte[] payload, int packetId, MqttProperties properties) {
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final MqttClient client;

    PlainClient(String url, String clientId) throws MqttException {
        this(url, clientId, null, null);
    }

    PlainClient(String url, String clientId, String username, byte[] password) throws MqttException {
        this(url, clientId, username, password, false);
    }

    /**
     * A client that takes over the MQTT session of {@code clientId} (clean start off, session kept) and never
     * acknowledges what it receives: the broker redelivers that, flagged DUP, to the next owner of the session.
     */
    static PlainClient resumingSession(String url, String clientId) throws MqttException {
        return new PlainClient(url, clientId, null, null, true);
    }

    private PlainClient(String url, String clientId, String username, byte[] password, boolean resume)
            throws MqttException {
        client = new MqttClient(url, clientId, new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                seen.add(new Seen(topic, message.getPayload(), message.getId(), message.getProperties()));
            }

            @Override
            public void disconnected(MqttDisconnectResponse r) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void deliveryComplete(IMqttToken t) {
            }

            @Override
            public void connectComplete(boolean reconnect, String uri) {
            }

            @Override
            public void authPacketArrived(int code, MqttProperties p) {
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(!resume);
        if (resume) {
            o.setSessionExpiryInterval(300L);
            client.setManualAcks(true);
        }
        if (username != null) {
            o.setUserName(username);
            o.setPassword(password);
        }
        client.connect(o);
    }

    PlainClient subscribe(String filter) throws MqttException {
        client.subscribe(filter, 1);
        return this;
    }

    void publishRaw(String topic, byte[] payload) throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        client.publish(topic, m);
    }

    /** Drops the connection without DISCONNECT and without acknowledging anything received. */
    void dropWithoutAck() throws MqttException {
        client.disconnectForcibly(0, 0, false);
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close(true);
    }
}
