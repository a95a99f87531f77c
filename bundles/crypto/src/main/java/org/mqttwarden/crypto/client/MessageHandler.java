package org.mqttwarden.crypto.client;

/**
 * Receives what a {@link SecureMqttClient} subscription judged. Called on the MQTT client's delivery thread, one
 * message at a time: a handler that blocks holds up every later message of this client.
 */
@FunctionalInterface
public interface MessageHandler {

    /** @param message the topic and state of one message, with its plaintext only when its state is OK */
    void onMessage(ReceivedMessage message);
}
