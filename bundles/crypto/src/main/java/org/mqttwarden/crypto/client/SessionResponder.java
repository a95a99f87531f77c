package org.mqttwarden.crypto.client;

import java.lang.System.Logger.Level;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;
import org.mqttwarden.crypto.session.Handshake;
import org.mqttwarden.crypto.session.HandshakeException;
import org.mqttwarden.crypto.session.Session;

/**
 * The responder's half of the session handshake over MQTT 5 request/response (ENVELOPE.md section 10): takes each
 * hello from {@code <prefix>/request/<own id>}, answers it on the hello's Response Topic with its Correlation Data,
 * and hands the session to the {@link SessionTable}.
 *
 * <p>On Paho's delivery thread only cheap checks run: size, form, a pinned peer, a response topic under
 * {@code <prefix>/reply/}, correlation data, not a hello seen before, and the {@link HandshakeLimits}. The
 * cryptography runs on one thread of its own behind a bounded queue, so neither a flood nor a slow answer holds
 * up the delivery of messages. Every failure is counted and logged at most at INFO without key material; none
 * escapes into Paho (which would drop the connection).
 */
final class SessionResponder implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SessionResponder.class.getName());
    private static final int MAX_CORRELATION_BYTES = 64;
    private static final int RECENT_HELLOS = 4096;

    private final SecureMqttOptions options;
    private final MqttAsyncClient client;
    private final SessionTable sessions;
    private final Consumer<Session> onNewSession;
    private final String requestTopic;
    private final String replyPrefix;
    private final SecureRandom random = new SecureRandom();
    private final TokenBucket all;
    private final Map<String, TokenBucket> perPeer = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor worker;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    /** SHA-256 of recent hellos, so a replayed one gets no answer at all. Guarded by itself. */
    private final Map<String, Boolean> recent = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_HELLOS;
        }
    };

    SessionResponder(SecureMqttOptions options, MqttAsyncClient client, SessionTable sessions,
            Consumer<Session> onNewSession) {
        this.onNewSession = onNewSession;
        this.options = options;
        this.client = client;
        this.sessions = sessions;
        this.requestTopic = options.handshakePrefix + "/request/" + options.identity.id();
        this.replyPrefix = options.handshakePrefix + "/reply/";
        HandshakeLimits l = options.handshakeLimits;
        this.all = new TokenBucket(l.perSecond(), l.burst());
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(l.queue()), r -> {
            Thread t = new Thread(r, "warden-handshake-" + options.clientId);
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    String requestTopic() {
        return requestTopic;
    }

    SessionTable sessions() {
        return sessions;
    }

    long answered() {
        return answered.get();
    }

    long refused() {
        return refused.get();
    }

    /** Paho's delivery thread: the cheap checks, then the answer is queued. Never throws. */
    void onHello(MqttMessage message) {
        try {
            byte[] hello = message.getPayload();
            if (hello.length > Handshake.MAX_MESSAGE_BYTES) {
                refuse("a hello of " + hello.length + " bytes, longer than any");
                return;
            }
            MqttProperties p = message.getProperties();
            String replyTopic = p == null ? null : p.getResponseTopic();
            byte[] correlation = p == null ? null : p.getCorrelationData();
            if (!isReplyTopic(replyTopic)) {
                refuse("a hello without a response topic under " + replyPrefix);
                return;
            }
            if (correlation == null || correlation.length == 0 || correlation.length > MAX_CORRELATION_BYTES) {
                refuse("a hello without correlation data of 1 to " + MAX_CORRELATION_BYTES + " bytes");
                return;
            }
            String peer = Handshake.helloSender(hello);
            if (options.peers.publicKey(peer).isEmpty()) {
                refuse("a hello from " + peer + ", not a pinned peer");
                return;
            }
            if (!firstTime(hello)) {
                refuse("a hello from " + peer + " seen before (a replay)");
                return;
            }
            HandshakeLimits l = options.handshakeLimits;
            TokenBucket mine = perPeer.computeIfAbsent(peer, k -> new TokenBucket(l.perPeerPerSecond(),
                    l.perPeerBurst()));
            if (!all.take() || !mine.take()) {
                refuse("a hello from " + peer + " over the handshake rate");
                return;
            }
            worker.execute(() -> answer(hello, replyTopic, correlation));
        } catch (HandshakeException e) {
            refuse(e.getMessage());
        } catch (RejectedExecutionException e) {
            refuse("a hello while " + options.handshakeLimits.queue() + " wait already");
        } catch (RuntimeException e) {
            refuse(e.toString());
        }
    }

    private void answer(byte[] hello, String replyTopic, byte[] correlation) {
        try {
            Handshake.Response r = Handshake.respond(options.identity, hello, options.peers, random, options.clock);
            sessions.offer(r.session());
            onNewSession.accept(r.session());
            MqttMessage reply = new MqttMessage(r.reply());
            reply.setQos(1);
            MqttProperties p = new MqttProperties();
            p.setCorrelationData(correlation);
            reply.setProperties(p);
            client.publish(replyTopic, reply).waitForCompletion(options.handshakeTimeout.toMillis());
            answered.incrementAndGet();
            LOG.log(Level.DEBUG, "Answered a session handshake from {0}", r.session().peer());
        } catch (HandshakeException e) {
            refuse(e.getMessage());
        } catch (MqttException | RuntimeException e) {
            refused.incrementAndGet();
            LOG.log(Level.WARNING, "Cannot answer a session handshake on {0}: {1}", replyTopic, e.toString());
        }
    }

    private boolean isReplyTopic(String topic) {
        if (topic == null || !topic.startsWith(replyPrefix) || topic.length() == replyPrefix.length()) {
            return false;
        }
        String level = topic.substring(replyPrefix.length());
        if (level.indexOf('/') >= 0 || level.indexOf('+') >= 0 || level.indexOf('#') >= 0
                || level.indexOf('\0') >= 0) {
            return false;
        }
        try {
            MqttTopicValidator.validate(topic, false, true);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean firstTime(byte[] hello) {
        String digest;
        try {
            digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(hello));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        synchronized (recent) {
            return recent.put(digest, Boolean.TRUE) == null;
        }
    }

    private void refuse(String why) {
        refused.incrementAndGet();
        LOG.log(Level.DEBUG, "Refused a session handshake: {0}", why);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        sessions.clear();
    }
}
