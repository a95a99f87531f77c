package org.mqttwarden.crypto.client;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.session.Handshake;
import org.mqttwarden.crypto.session.HandshakeException;
import org.mqttwarden.crypto.session.Session;

/**
 * The initiator's half of the session handshake over MQTT 5 request/response (ENVELOPE.md section 10): before the
 * first message, and whenever the session is due ({@link Session#due}), it publishes a hello to
 * {@code <prefix>/request/<responder id>} with its own reply topic {@code <prefix>/reply/<client id>} as Response
 * Topic and 16 random bytes as Correlation Data, waits (bounded) for the reply carrying them, and makes the new
 * session the one messages are sealed under. The session before it is destroyed at that moment: nothing is sealed
 * under it any more, and the responder keeps its own copy of the receiving key for the messages still in flight.
 *
 * <p>Only the first reply with the right correlation data counts (a handshake is one try); one that does not verify
 * fails the handshake with an {@link IOException}, and the next publish tries again. Whoever can publish to the
 * reply topic can thus make a handshake fail, never make one succeed with the wrong party.
 */
final class SessionInitiator implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SessionInitiator.class.getName());
    private static final int CORRELATION_BYTES = 16;

    /** The key and key id to seal the next message with. */
    record Sealing(EnvelopeKey key, String keyId) {
    }

    private final SecureMqttOptions options;
    private final MqttAsyncClient client;
    private final String requestTopic;
    private final String replyTopic;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, CompletableFuture<byte[]>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong handshakes = new AtomicLong();
    private final Consumer<Session> onNewSession;
    /** Guarded by this. */
    private Session session;
    /** Guarded by this: derived once per session from its send key. */
    private Sealing sealing;

    SessionInitiator(SecureMqttOptions options, MqttAsyncClient client, Consumer<Session> onNewSession) {
        this.options = options;
        this.client = client;
        this.onNewSession = onNewSession;
        this.requestTopic = options.handshakePrefix + "/request/" + options.responderId;
        this.replyTopic = options.handshakePrefix + "/reply/" + options.clientId;
    }

    String replyTopic() {
        return replyTopic;
    }

    long handshakes() {
        return handshakes.get();
    }

    /**
     * @return the key to seal the next message with, after a handshake if none was made yet or the session is due;
     *         counts the message towards the session's limit
     * @throws IOException if the handshake fails: no answer in time, or an answer that does not verify
     */
    synchronized Sealing next() throws IOException {
        if (session == null || session.due(options.rekeyMessages, options.rekeyAge, options.clock.instant())) {
            try {
                handshake();
            } catch (IOException e) {
                // a session that is due seals nothing more: erase it now rather than at the next success
                if (session != null) {
                    session.destroy();
                    session = null;
                    sealing = null;
                }
                throw e;
            }
        }
        session.countSent();
        return sealing;
    }

    /** Paho's delivery thread: hands a reply to the handshake waiting for its correlation data. Never throws. */
    void onReply(MqttMessage message) {
        MqttProperties p = message.getProperties();
        byte[] correlation = p == null ? null : p.getCorrelationData();
        if (correlation == null || correlation.length != CORRELATION_BYTES
                || message.getPayload().length > Handshake.MAX_MESSAGE_BYTES) {
            LOG.log(Level.DEBUG, "Ignored a message on {0} that answers no handshake", replyTopic);
            return;
        }
        CompletableFuture<byte[]> f = waiting.remove(HexFormat.of().formatHex(correlation));
        if (f != null) {
            f.complete(message.getPayload());
        }
    }

    private void handshake() throws IOException {
        Handshake.Initiation initiation = Handshake.initiate(options.identity, random, options.clock);
        byte[] correlation = new byte[CORRELATION_BYTES];
        random.nextBytes(correlation);
        String key = HexFormat.of().formatHex(correlation);
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        waiting.put(key, answer);
        long timeout = options.handshakeTimeout.toMillis();
        byte[] reply;
        try {
            MqttMessage hello = new MqttMessage(initiation.hello());
            hello.setQos(1);
            MqttProperties p = new MqttProperties();
            p.setResponseTopic(replyTopic);
            p.setCorrelationData(correlation);
            hello.setProperties(p);
            long start = System.nanoTime();
            client.publish(requestTopic, hello).waitForCompletion(timeout);
            long left = timeout - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            reply = answer.get(Math.max(1, left), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("The responder " + options.responderId + " did not answer the session handshake"
                    + " within " + timeout + " ms: is it running and subscribed to " + requestTopic + ", and may"
                    + " this client publish there and read " + replyTopic + "?", e);
        } catch (MqttException e) {
            throw new IOException("Cannot send the session handshake to " + requestTopic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the session handshake with "
                    + options.responderId, e);
        } catch (ExecutionException e) {
            throw new IOException("The session handshake with " + options.responderId + " failed", e);
        } finally {
            waiting.remove(key);
        }
        Session fresh;
        try {
            fresh = initiation.finish(reply, options.responderId, options.peers);
        } catch (HandshakeException e) {
            throw new IOException("The session handshake with " + options.responderId + " was refused: "
                    + e.getMessage(), e);
        }
        byte[] k = fresh.sendKey();
        Sealing next = new Sealing(EnvelopeKey.of(k), fresh.keyId());
        Arrays.fill(k, (byte) 0);
        Session old = session;
        session = fresh;
        sealing = next;
        handshakes.incrementAndGet();
        if (old != null) {
            old.destroy();
        }
        onNewSession.accept(fresh);
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            session.destroy();
            session = null;
            sealing = null;
        }
        waiting.values().forEach(f -> f.cancel(false));
    }
}
