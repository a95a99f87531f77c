package org.mqttwarden.crypto.client;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.crypto.envelope.EnvelopeCodec;
import org.mqttwarden.crypto.envelope.EnvelopeHeader;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.KeyLookup;
import org.mqttwarden.crypto.envelope.Opened;
import org.mqttwarden.crypto.replay.ReplayGuard;
import org.mqttwarden.crypto.replay.ReplayVerdict;
import org.mqttwarden.crypto.replay.SequenceCounter;
import org.mqttwarden.crypto.session.Session;

/**
 * An MQTT v5 client (Eclipse Paho) whose payloads are envelopes: {@link #publish} seals the plaintext for its topic
 * under the pre-shared key, numbered by a {@link SequenceCounter} kept in the state folder; {@link #subscribe} opens
 * what arrives, checks it against a {@link ReplayGuard}, and hands the handler the plaintext only when both say OK,
 * otherwise the state alone. A broker, a bridge or a subscriber on {@code #} sees only ciphertext, and cannot alter,
 * replay or move a message to another topic unnoticed.
 *
 * <p>QoS 1 redeliveries of messages already accepted are dropped without reaching the handler: they are the broker
 * doing its job, not data and not an attack ({@link #duplicatesDropped()} counts them). Paho MQTT v5 1.2.5 reads the
 * DUP flag of an incoming PUBLISH but never copies it to the {@code MqttMessage} it hands over ({@code isDuplicate()}
 * is always false), so a redelivery is recognised by its packet identifier instead ({@link Redeliveries}): the
 * broker redelivers an unacknowledged message after a reconnect into the same session under the packet identifier
 * it had (Mosquitto does, as a test checks), while a raw copy republished by anyone gets a new one. A copy of an
 * accepted message with the same packet identifier, QoS 1 or 2, on a later connection of the same broker session is
 * a duplicate; every other copy is {@code REPLAYED}, state and authenticated sender only, never data. To know
 * whether a reconnect found the session present (after a lost session, packet identifiers start again from 1), this
 * client reconnects by itself rather than with Paho's automatic reconnect, which does not say.
 *
 * <p>Session keys (ENVELOPE.md section 10): with an identity and {@code sessionWith(responder)} the client runs
 * the session handshake over MQTT 5 request/response before its first publish and again whenever the session is
 * due, and seals under the session's key ({@link SessionInitiator}); with {@code respondToHandshakes()} it answers
 * handshakes and opens its peers' session envelopes, checking that each names the session's peer as sender
 * ({@link SessionResponder}, {@link SessionTable}). Messages on the handshake topics never reach handlers.
 * Without an identity, the pre-shared key seals as before.
 *
 * <p>The connection resumes its MQTT session (clean start off, session kept 5 minutes) and reconnects on its own
 * when lost (after 1 s, then doubling up to 30 s between attempts); the codec, the counter and the replay guard
 * are fields of this object, the same across reconnects, so sequence numbers keep rising and a message accepted
 * before a reconnect is not accepted again after it. Filters are subscribed again after a reconnect, in case the
 * broker lost the session.
 *
 * <p>Thread-safe. Handlers run on Paho's delivery thread, one message at a time.
 */
public final class SecureMqttClient implements AutoCloseable {

    /** User property naming the key id, for routing and diagnostics only: the envelope is what counts. */
    public static final String KEY_ID_PROPERTY = "mqttwarden-key-id";
    /** User property naming the sender id, for routing and diagnostics only: the envelope is what counts. */
    public static final String SENDER_PROPERTY = "mqttwarden-sender";

    private static final System.Logger LOG = System.getLogger(SecureMqttClient.class.getName());
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9._@-]{1,100}");
    private static final long SESSION_EXPIRY_SECONDS = 300;

    private final SecureMqttOptions options;
    private final MqttAsyncClient client;
    private final EnvelopeCodec codec;
    private final ReplayGuard guard;
    private final SequenceCounter counter;
    /** Held while this client numbers messages from its state file; null without a state folder. */
    private final FileChannel stateLock;
    private final long timeoutMillis;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    /** Increased before every reconnect attempt: which connection a message came on. */
    private final AtomicLong connection = new AtomicLong(1);
    /** Increased whenever a reconnect finds that the broker lost the session. */
    private final AtomicLong brokerSession = new AtomicLong();
    private final Redeliveries redeliveries = new Redeliveries();
    /** Reconnects after a loss (Paho's own automatic reconnect does not tell whether the session was present). */
    private final ScheduledExecutorService reconnector;
    private final AtomicLong reconnectDelayMillis = new AtomicLong(1000);
    /** Set once connected: only then is a loss followed by reconnecting. */
    private volatile MqttConnectionOptions connectOptions;
    private volatile boolean closing;
    /** Non-null when this client seals under session keys. */
    private final SessionInitiator initiator;
    /** Non-null when this client answers handshakes. */
    private final SessionResponder responder;
    /** The pre-shared keys and, for a responder, its peers' session keys. */
    private final KeyLookup lookup;
    /** Topics subscribed without envelope handling (the handshake's), again after each reconnect. */
    private final List<String> rawTopics = new CopyOnWriteArrayList<>();
    /** Told of every session this client makes (tests watch erasure with it). */
    volatile Consumer<Session> sessionObserver = s -> { };

    private record Subscription(String filter, int qos, MessageHandler handler) {
    }

    private SecureMqttClient(SecureMqttOptions options, MqttAsyncClient client, SequenceCounter counter,
            FileChannel stateLock) {
        this.options = options;
        this.client = client;
        this.counter = counter;
        this.stateLock = stateLock;
        this.codec = new EnvelopeCodec(options.version);
        this.guard = new ReplayGuard(options.replay, options.clock);
        this.timeoutMillis = options.connectTimeoutSeconds * 1000L;
        this.reconnector = !options.automaticReconnect ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warden-mqtt-reconnect-" + options.clientId);
            t.setDaemon(true);
            return t;
        });
        this.initiator = options.responderId == null ? null
                : new SessionInitiator(options, client, s -> sessionObserver.accept(s));
        if (options.responder) {
            SessionTable table = new SessionTable(options.clock, options.sessionGrace, options.rekeyAge, s -> { });
            this.responder = new SessionResponder(options, client, table, s -> sessionObserver.accept(s));
            this.lookup = id -> id.startsWith(Session.KEY_ID_PREFIX) ? table.find(id) : options.keys.find(id);
        } else {
            this.responder = null;
            // without a session table, every id goes to the configured keys, session ids too: they find none
            // (a pre-shared key id has no ':'; the gateway's are hex), and a lookup that watches the ids asked for
            // (the gateway's verifier) tells a session envelope from one under a key it lacks
            this.lookup = options.keys;
        }
        if (initiator != null) {
            rawTopics.add(initiator.replyTopic());
        }
        if (responder != null) {
            rawTopics.add(responder.requestTopic());
        }
    }

    /**
     * Opens the sequence state (if a state folder is set) and connects.
     *
     * @throws BrokerConnectException if the broker is unreachable or refuses the connection
     * @throws IOException if the sequence state or the CA file cannot be read or written
     */
    public static SecureMqttClient connect(SecureMqttOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        SequenceCounter counter = null;
        FileChannel lock = null;
        if (options.stateDir != null) {
            createPrivateFolder(options.stateDir);
            Path state = options.stateDir.resolve(stateFileName(options.senderId));
            lock = lockState(state, options.senderId);
            try {
                counter = SequenceCounter.open(state, SequenceCounter.DEFAULT_BLOCK, options.clock);
            } catch (IOException | RuntimeException e) {
                lock.close();
                throw e;
            }
        }
        MqttAsyncClient paho = null;
        SecureMqttClient secure = null;
        try {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(false);
            o.setSessionExpiryInterval(SESSION_EXPIRY_SECONDS);
            o.setConnectionTimeout(options.connectTimeoutSeconds);
            o.setKeepAliveInterval(30);
            o.setAutomaticReconnect(false); // done here, to learn whether the broker kept the session
            if (options.url.startsWith("ssl://")) {
                if (options.caFile != null || options.clientCertificate != null) {
                    o.setSocketFactory(PemTrust.socketFactory(options.caFile, options.clientCertificate,
                            options.clientCertificatePassword));
                }
                o.setHttpsHostnameVerificationEnabled(true);
            }
            if (options.username != null) {
                o.setUserName(options.username);
            }
            if (options.password != null) {
                o.setPassword(utf8(options.password));
            }
            try {
                paho = new MqttAsyncClient(options.url, options.clientId, new MemoryPersistence());
            } catch (MqttException | IllegalArgumentException e) {
                throw new IllegalArgumentException("The broker URL or client id is not valid: " + e.getMessage(), e);
            }
            secure = new SecureMqttClient(options, paho, counter, lock);
            paho.setCallback(secure.new Callback());
            try {
                paho.connect(o).waitForCompletion(secure.timeoutMillis + 1000);
            } catch (MqttException e) {
                throw connectFailure(options, e);
            }
            secure.connectOptions = o;
            options.erasePassword();
            for (String topic : secure.rawTopics) {
                secure.subscribeRaw(topic);
            }
            return secure;
        } catch (IOException | RuntimeException e) {
            closeQuietly(paho);
            if (secure != null) {
                secure.stopReconnecting();
            }
            if (counter != null) {
                counter.close();
            }
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }

    /**
     * Seals {@code plaintext} for {@code topic} and publishes the envelope, waiting until it is sent (QoS 0) or
     * acknowledged (QoS 1 and 2).
     *
     * @throws IOException if the message could not be handed to the broker (not connected, timed out) or the next
     *         sequence number could not be reserved
     * @throws IllegalStateException if this client has no state folder (it subscribes only)
     * @throws IllegalArgumentException if the topic is not a topic name or the QoS not 0, 1 or 2
     */
    public void publish(String topic, byte[] plaintext, int qos) throws IOException {
        Objects.requireNonNull(plaintext, "plaintext");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("The QoS must be 0, 1 or 2");
        }
        if (counter == null) {
            throw new IllegalStateException("This client has no state folder for its sequence numbers: it can"
                    + " subscribe but not publish");
        }
        EnvelopeKey key = options.key;
        String keyId = options.keyId;
        if (initiator != null) {
            SessionInitiator.Sealing sealing = initiator.next();
            key = sealing.key();
            keyId = sealing.keyId();
        }
        byte[] envelope = codec.seal(key, keyId, options.senderId, counter.next(), options.clock.millis(), topic,
                plaintext);
        MqttMessage m = new MqttMessage(envelope);
        m.setQos(qos);
        MqttProperties p = new MqttProperties();
        p.setUserProperties(List.of(new UserProperty(KEY_ID_PROPERTY, keyId),
                new UserProperty(SENDER_PROPERTY, options.senderId)));
        m.setProperties(p);
        try {
            client.publish(topic, m).waitForCompletion(timeoutMillis);
        } catch (MqttException e) {
            throw new IOException("Publishing to " + topic + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Subscribes to {@code filter}; every message arriving on a matching topic is judged and handed to
     * {@code handler}, with its plaintext only when OK. Returns once the broker granted the subscription.
     *
     * @throws IOException if the broker refused the subscription or did not answer
     * @throws IllegalArgumentException if the filter is not a valid MQTT topic filter or the QoS not 0, 1 or 2
     */
    public void subscribe(String filter, int qos, MessageHandler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        MqttTopicValidator.validate(filter, true, true);
        MqttSubscription.validateQos(qos);
        Subscription s = new Subscription(filter, qos, handler);
        subscriptions.add(s);
        try {
            IMqttToken token = client.subscribe(new MqttSubscription[] {subscription(s)}, null, null,
                    new MqttProperties());
            token.waitForCompletion(timeoutMillis);
            int[] codes = token.getReasonCodes();
            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                subscriptions.remove(s);
                throw new IOException("The broker refused the subscription to " + filter + " (reason code 0x"
                        + Integer.toHexString(codes[0]) + "): is the account allowed to read it?");
            }
        } catch (MqttException e) {
            subscriptions.remove(s);
            throw new IOException("Subscribing to " + filter + " failed: " + e.getMessage(), e);
        }
    }

    /** @return how many session handshakes this client completed as initiator */
    public long handshakesMade() {
        return initiator == null ? 0 : initiator.handshakes();
    }

    /** @return how many hellos this client answered as responder */
    public long handshakesAnswered() {
        return responder == null ? 0 : responder.answered();
    }

    /** @return how many hellos this client refused as responder (malformed, unpinned, replayed, over the limits) */
    public long handshakesRefused() {
        return responder == null ? 0 : responder.refused();
    }

    /** The responder's sessions; null unless it answers handshakes. */
    SessionTable sessions() {
        return responder == null ? null : responder.sessions();
    }

    private void scheduleReconnect() {
        if (closing || reconnector == null || connectOptions == null) {
            return;
        }
        try {
            reconnector.schedule(this::attemptReconnect, reconnectDelayMillis.get(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void attemptReconnect() {
        if (closing || client.isConnected()) {
            return;
        }
        // before the attempt: every message Paho delivers from now on came on the new connection
        connection.incrementAndGet();
        try {
            client.connect(connectOptions, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    // Paho runs this on its delivery thread before any message of the new connection
                    reconnected(token.getSessionPresent());
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    LOG.log(Level.DEBUG, "Reconnecting to {0} failed: {1}", options.url, String.valueOf(e));
                    backOff();
                }
            });
        } catch (MqttException | RuntimeException e) {
            LOG.log(Level.DEBUG, "Reconnecting to {0} failed: {1}", options.url, e.toString());
            backOff();
        }
    }

    private void backOff() {
        reconnectDelayMillis.getAndUpdate(d -> Math.min(30_000, d * 2));
        scheduleReconnect();
    }

    /** Back on line: renews the subscriptions (without waiting: this is Paho's delivery thread). */
    private void reconnected(boolean sessionPresent) {
        if (!sessionPresent) {
            brokerSession.incrementAndGet();
        }
        reconnectDelayMillis.set(1000);
        reconnects.incrementAndGet();
        LOG.log(Level.INFO, "Reconnected to {0} ({1})", options.url,
                sessionPresent ? "session resumed" : "new session");
        for (String topic : rawTopics) {
            try {
                client.subscribe(new MqttSubscription[] {new MqttSubscription(topic, 1)}, null, null,
                        new MqttProperties());
            } catch (MqttException e) {
                LOG.log(Level.WARNING, "Cannot renew the subscription to {0}: {1}", topic, e.getMessage());
            }
        }
        for (Subscription s : subscriptions) {
            try {
                client.subscribe(new MqttSubscription[] {subscription(s)}, null, null, new MqttProperties());
            } catch (MqttException e) {
                LOG.log(Level.WARNING, "Cannot renew the subscription to {0}: {1}", s.filter(), e.getMessage());
            }
        }
    }

    private void stopReconnecting() {
        closing = true;
        if (reconnector != null) {
            reconnector.shutdownNow();
        }
    }

    /** Subscribes to a handshake topic, whose messages are handled before any envelope handling. */
    private void subscribeRaw(String topic) throws IOException {
        try {
            IMqttToken token = client.subscribe(new MqttSubscription[] {new MqttSubscription(topic, 1)}, null, null,
                    new MqttProperties());
            token.waitForCompletion(timeoutMillis);
            int[] codes = token.getReasonCodes();
            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                throw new IOException("The broker refused the subscription to the handshake topic " + topic
                        + " (reason code 0x" + Integer.toHexString(codes[0]) + "): is the account allowed to read it?");
            }
        } catch (MqttException e) {
            throw new IOException("Subscribing to the handshake topic " + topic + " failed: " + e.getMessage(), e);
        }
    }

    /** @return how many QoS 1 redeliveries (DUP) of messages already accepted were dropped quietly */
    public long duplicatesDropped() {
        return duplicates.get();
    }

    /** @return how many messages were handed to handlers as rejected (any state but OK) */
    public long rejectedMessages() {
        return rejected.get();
    }

    /** @return how many times the connection was re-established after a loss */
    public long reconnects() {
        return reconnects.get();
    }

    /** @return whether the client is connected now */
    public boolean isConnected() {
        return client.isConnected();
    }

    /** The replay guard, the same object for the life of this client (across reconnects). */
    ReplayGuard guard() {
        return guard;
    }

    /** The envelope codec, the same object for the life of this client (across reconnects). */
    EnvelopeCodec codec() {
        return codec;
    }

    /** The sender's sequence counter, null without a state folder. */
    SequenceCounter counter() {
        return counter;
    }

    /**
     * Disconnects (ending the broker's session for this client id) and writes the exact next sequence number, so a
     * new client on the same state folder continues without a gap.
     */
    @Override
    public void close() throws IOException {
        stopReconnecting();
        if (initiator != null) {
            initiator.close();
        }
        if (responder != null) {
            responder.close();
        }
        try {
            if (client.isConnected()) {
                MqttProperties p = new MqttProperties();
                p.setSessionExpiryInterval(0L);
                client.disconnect(2000, null, null, 0, p).waitForCompletion(3000);
            }
        } catch (MqttException e) {
            LOG.log(Level.DEBUG, "Disconnect from {0}: {1}", options.url, e.getMessage());
        } finally {
            closeQuietly(client);
            try {
                if (counter != null) {
                    counter.close();
                }
            } finally {
                if (stateLock != null) {
                    stateLock.close();
                }
            }
        }
    }

    /** A judged message, and its header when it was authentic. */
    private record Judged(ReceivedMessage message, EnvelopeHeader header) {
    }

    /** Opens and judges one payload; null for a redelivery that is dropped without reaching handlers. */
    private Judged judge(String topic, MqttMessage message) {
        byte[] payload = message.getPayload();
        Opened opened = codec.open(lookup, topic, payload);
        if (!opened.isOk()) {
            rejected.incrementAndGet();
            return new Judged(new ReceivedMessage(topic, opened.state(), null, null), null);
        }
        EnvelopeHeader h = opened.header();
        if (responder != null && h.keyId().startsWith(Session.KEY_ID_PREFIX)) {
            SessionTable.Verdict v = responder.sessions().opened(h.keyId(), h.senderId());
            if (v != SessionTable.Verdict.OK) {
                // a session key seals for its peer only: another sender id is a lie by the one party holding it
                Arrays.fill(opened.plaintext(), (byte) 0);
                rejected.incrementAndGet();
                MessageState state = v == SessionTable.Verdict.GONE ? MessageState.UNKNOWN_KEY : MessageState.TAMPERED;
                return new Judged(new ReceivedMessage(topic, state, null, null), null);
            }
        }
        long conn = connection.get();
        long session = brokerSession.get();
        boolean dup = message.isDuplicate() || redeliveries.isRedelivery(h.senderId(), h.sequence(), message.getId(),
                message.getQos(), conn, session);
        ReplayVerdict verdict = guard.check(h.senderId(), h.sequence(), h.timestampMillis(), dup);
        if (verdict == ReplayVerdict.OK) {
            redeliveries.accepted(h.senderId(), h.sequence(), message.getId(), message.getQos(), conn, session);
            return new Judged(new ReceivedMessage(topic, MessageState.OK, h.senderId(), opened.plaintext()), h);
        }
        Arrays.fill(opened.plaintext(), (byte) 0);
        if (verdict == ReplayVerdict.DUPLICATE) {
            duplicates.incrementAndGet();
            return null;
        }
        rejected.incrementAndGet();
        MessageState state = verdict.messageState().orElse(MessageState.REPLAYED);
        // the tag verified, so the sender is known even though the message is refused (an audit names it)
        return new Judged(new ReceivedMessage(topic, state, ReceivedMessage.authentic(state) ? h.senderId() : null,
                null), h);
    }

    /** Paho's delivery path; package-private so a test can hand it the DUP-flagged message Paho 1.2.5 never makes. */
    void deliver(String topic, MqttMessage message) {
        Judged judged = judge(topic, message);
        if (judged != null) {
            handOver(topic, judged.message());
        }
    }

    private void handOver(String topic, ReceivedMessage judged) {
        boolean first = true;
        for (Subscription s : subscriptions) {
            if (!MqttTopicValidator.isMatched(s.filter(), topic)) {
                continue;
            }
            ReceivedMessage copy = first || judged.plaintext() == null ? judged
                    : new ReceivedMessage(topic, judged.state(), judged.senderId(), judged.plaintext().clone());
            first = false;
            try {
                s.handler().onMessage(copy);
            } catch (RuntimeException e) {
                // a throwing handler must not make Paho drop the connection; its message is not ours to log
                LOG.log(Level.WARNING, "A message handler for {0} failed: {1}", s.filter(), e.toString());
            }
        }
    }

    private static MqttSubscription subscription(Subscription s) {
        MqttSubscription m = new MqttSubscription(s.filter(), s.qos());
        m.setRetainHandling(1); // retained messages only on a new subscription, not again on each reconnect
        return m;
    }

    /** Paho's events: messages to judge, and subscriptions to renew after a reconnect. */
    private final class Callback implements MqttCallback {

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (responder != null && topic.equals(responder.requestTopic())) {
                responder.onHello(message);
            } else if (initiator != null && topic.equals(initiator.replyTopic())) {
                initiator.onReply(message);
            } else {
                deliver(topic, message);
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            // reconnects are ours (reconnected), which learn whether the session was present
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            LOG.log(Level.INFO, "Disconnected from {0}: {1}", options.url, response.getReasonString());
            scheduleReconnect();
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.log(Level.WARNING, "MQTT error on {0}: {1}", options.url, e.getMessage());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // publish() waits for its own token
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // no enhanced authentication
        }
    }

    private static BrokerConnectException connectFailure(SecureMqttOptions o, MqttException e) {
        Throwable cause = e.getCause();
        while (cause != null && !(cause instanceof SSLException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String why;
        int code = e.getReasonCode();
        if (cause instanceof SSLException) {
            why = "the TLS handshake failed (" + cause.getMessage() + "): is the CA file the broker's CA, and the"
                    + " host name in the URL one its certificate names?";
        } else if (code == 0x86 || code == 0x87 || code == 4 || code == 5) {
            why = "it refused the username or password";
        } else if (code == MqttClientException.REASON_CODE_CLIENT_TIMEOUT) {
            why = "it did not answer within " + o.connectTimeoutSeconds + " s";
        } else if (code == MqttClientException.REASON_CODE_SERVER_CONNECT_ERROR) {
            why = "nothing answers there (" + e.getMessage() + ")";
        } else {
            why = e.getMessage() + " (reason code " + code + ")";
        }
        return new BrokerConnectException("Cannot connect to the broker at " + o.url + ": " + why + ".", e);
    }

    private static void closeQuietly(MqttAsyncClient paho) {
        if (paho == null) {
            return;
        }
        try {
            paho.close(true);
        } catch (MqttException e) {
            LOG.log(Level.DEBUG, "Close: {0}", e.getMessage());
        }
    }

    private static byte[] utf8(char[] chars) {
        java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        if (b.hasArray()) {
            Arrays.fill(b.array(), (byte) 0);
        }
        return out;
    }

    /**
     * Locks {@code <state file>.lock} for this process: two clients (or two warden-mqtt runs) numbering the same
     * sender from the same state file could hand out the same sequence numbers, and receivers would refuse the
     * second of each as a replay.
     */
    private static FileChannel lockState(Path state, String senderId) throws IOException {
        Path file = state.resolveSibling(state.getFileName() + ".lock");
        FileChannel channel = file.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            channel.close();
            throw new IOException("Another client is publishing as sender " + senderId + " from " + state
                    + " (it holds " + file.getFileName() + "): two would hand out the same sequence numbers.");
        }
        return channel;
    }

    private static void createPrivateFolder(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    /** {@code sequence-<sender id>}, or a hash of the id when it has characters a file name should not. */
    static String stateFileName(String senderId) {
        if (PLAIN_ID.matcher(senderId).matches() && !senderId.startsWith(".")) {
            return "sequence-" + senderId;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(senderId.getBytes(StandardCharsets.UTF_8));
            return "sequence-" + HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
