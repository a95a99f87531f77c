package org.mqttwarden.crypto.client;

/**
 * Receives what a {@link SecureMqttClient} subscription judged. Called on the MQTT client's delivery thread, one
 * message at a time: a handler that blocks holds up every later message of this client. In particular a handler
 * must not call {@link SecureMqttClient#publish} on the same client with QoS 1 or 2 and wait in it: the
 * acknowledgement it waits for may be completed by the very thread it blocks (hand such work to an executor).
 */
@FunctionalInterface
public interface MessageHandler {

    /** @param message the topic and state of one message, with its plaintext only when its state is OK */
    void onMessage(ReceivedMessage message);
}
