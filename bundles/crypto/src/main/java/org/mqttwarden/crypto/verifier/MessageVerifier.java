package org.mqttwarden.crypto.verifier;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.crypto.MessageState;
import org.mqttwarden.crypto.client.ReceivedMessage;
import org.mqttwarden.crypto.client.SecureMqttClient;
import org.mqttwarden.crypto.client.SecureMqttOptions;
import org.mqttwarden.crypto.envelope.KeyLookup;
import org.mqttwarden.crypto.keys.CryptoConfig;
import org.mqttwarden.crypto.session.Session;
import org.mqttwarden.store.files.ServiceAccount;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's message verifier: when {@code verify.prefixes} (PID {@code org.mqttwarden.crypto}) names topic
 * prefixes, the gateway subscribes to {@code <prefix>/#} of each as its own MQTT account and judges every message
 * there with its envelope keys and a replay guard of its own. A message that is not {@code OK} becomes a
 * {@link EventType#MESSAGE} event (outcome DENY, reason {@code message.<state>}, the topic, and for an authentic
 * but replayed or stale message its sender), which the audit log records as the message state and warden-alerts
 * counts towards {@code alert.message-burst}. {@code OK} messages are only counted: the verifier never keeps,
 * logs or forwards plaintext.
 *
 * <p>It watches, it does not filter: the broker has already delivered the message to its other subscribers, whose
 * own {@code SecureMqttClient} refuses it. What the verifier adds is the record and the alarm on the gateway,
 * where the operator looks, for devices that cannot report what they refuse.
 *
 * <p>The broker may be started after the gateway: the verifier connects from a thread of its own, retrying with
 * back-off (INFO while the gateway is young, WARN once the back-off reaches its longest), and reconnects on its
 * own when the connection is lost. Nothing blocks component activation, and with no prefix configured it connects
 * nowhere and creates no account. Envelopes sealed under a session key of the handshake are between a device and
 * its responder: the gateway holds no such key, so they are only counted; the gateway judges what is sealed under
 * its own keys ({@code warden:key-create}).
 */
@Component(service = MetricSource.class, configurationPid = "org.mqttwarden.crypto", immediate = true)
public final class MessageVerifier implements MetricSource {

    /** The role that marks the verifier's own MQTT account, allowed to read each {@code <prefix>/#}. */
    public static final String ROLE = "warden-verifier";
    static final String ACTOR = "warden-verifier";
    private static final Logger LOG = LoggerFactory.getLogger(MessageVerifier.class);
    private static final long FIRST_BACKOFF_MILLIS = 1000;
    private static final long MAX_BACKOFF_MILLIS = 60_000;
    /**
     * Rejected messages recorded as events per second at most: whoever may publish on a protected prefix could
     * otherwise write the audit log as fast as the broker delivers. Beyond, they are counted
     * ({@code warden_crypto_events_dropped_total}) and still count as rejected; the burst alert has long fired.
     */
    static final int MAX_EVENTS_PER_SECOND = 100;

    private final Settings settings;
    private final KeyLookup keys;
    private final EventPublisher events;
    private final AccountService accounts;
    private final Clock clock;
    private final Map<MessageState, AtomicLong> counts = new EnumMap<>(MessageState.class);
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong eventsDropped = new AtomicLong();
    /** Delivery thread only: the second being counted, and the events recorded in it. */
    private long eventSecond = Long.MIN_VALUE;
    private int eventsThisSecond;
    private long lastDropWarning = Long.MIN_VALUE;
    private final ScheduledExecutorService worker;
    /**
     * Hands events to the publisher off Paho's delivery thread: the audit's bounded wait must not hold that thread
     * (Paho 1.2.5 cannot reconnect while a handler blocks). Bounded; what does not fit is counted as dropped.
     */
    private final ThreadPoolExecutor recorder;
    private final AtomicLong sessionMessages = new AtomicLong();
    /** Delivery thread only: the key id the envelope being judged asked for, when it got that far. */
    private String lookedUp;
    private volatile SecureMqttClient client;
    private volatile boolean closed;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private boolean provisioned;

    /** The verifier's settings, checked. */
    record Settings(List<String> prefixes, String url, String username, String clientId, Path credentialsFile,
            Path caFile, boolean provision, int qos) {

        static Settings of(CryptoConfig c) {
            List<String> prefixes = TopicPrefixes.parse(c.verify_prefixes());
            if (c.verify_qos() < 0 || c.verify_qos() > 2) {
                throw new IllegalArgumentException("verify.qos must be 0, 1 or 2, not " + c.verify_qos());
            }
            String url = c.verify_url().trim();
            if (!url.startsWith("tcp://") && !url.startsWith("ssl://")) {
                throw new IllegalArgumentException("verify.url must start with tcp:// or ssl://, not " + url);
            }
            String file = c.verify_credentials_file().trim();
            Path credentials = file.isEmpty()
                    ? Path.of(System.getProperty("karaf.etc", "etc"), "warden-verifier.credentials") : Path.of(file);
            String ca = c.verify_ca_file().trim();
            return new Settings(prefixes, url, c.verify_username().trim(), c.verify_client_id().trim(), credentials,
                    ca.isEmpty() ? null : Path.of(ca), c.verify_provision(), c.verify_qos());
        }
    }

    @Activate
    public MessageVerifier(@Reference(name = "keys") KeyLookup keys, @Reference EventPublisher events,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            AccountService accounts, CryptoConfig config) {
        this(Settings.of(config), keys, events, accounts, Clock.systemUTC());
    }

    /** As DS makes it, with settings and a clock of the caller's (tests). */
    MessageVerifier(Settings settings, KeyLookup keys, EventPublisher events, AccountService accounts,
            Clock clock) {
        this.settings = settings;
        this.keys = keys;
        this.events = events;
        this.accounts = accounts;
        this.clock = clock;
        for (MessageState s : MessageState.values()) {
            counts.put(s, new AtomicLong());
        }
        ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "warden-crypto-verifier");
            t.setDaemon(true);
            return t;
        });
        w.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.worker = w;
        this.recorder = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000), r -> {
            Thread t = new Thread(r, "warden-crypto-verifier-events");
            t.setDaemon(true);
            return t;
        }, (r, executor) -> eventsDropped.incrementAndGet());
        if (settings.prefixes().isEmpty()) {
            LOG.debug("Message verifier off: verify.prefixes is empty");
            return;
        }
        LOG.info("Message verifier judging {} on {} as {}", settings.prefixes(), settings.url(),
                settings.username());
        worker.execute(this::connect);
    }

    @Deactivate
    void close() {
        closed = true;
        worker.shutdownNow();
        recorder.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("The message verifier's thread did not end within 10 s");
            }
            if (!recorder.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("The message verifier's events were not all handed over within 10 s");
                recorder.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        SecureMqttClient c = client;
        client = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("Closing the verifier's connection: {}", e.toString());
            }
        }
    }

    /** @return whether the verifier is subscribed now (tests, {@code /metrics}) */
    boolean connected() {
        SecureMqttClient c = client;
        return c != null && c.isConnected();
    }

    /** Provisions (once), connects and subscribes; on failure, tries again later with back-off. */
    private void connect() {
        if (closed) {
            return;
        }
        try {
            if (settings.provision() && accounts != null && !provisioned) {
                ServiceAccount.provision(accounts, spec(settings.prefixes()), settings.username(),
                        settings.credentialsFile());
                provisioned = true;
            }
            ServiceAccount.Credentials cred = ServiceAccount.read(settings.credentialsFile());
            SecureMqttOptions.Builder b = SecureMqttOptions.builder().url(settings.url())
                    .clientId(settings.clientId()).keys(this::lookUp).clock(clock);
            if (cred != null) {
                b.credentials(cred.username() == null ? settings.username() : cred.username(), cred.password());
            }
            if (settings.caFile() != null) {
                b.caFile(settings.caFile());
            }
            SecureMqttClient c = SecureMqttClient.connect(b.build());
            if (cred != null) {
                java.util.Arrays.fill(cred.password(), '\0');
            }
            try {
                for (String prefix : settings.prefixes()) {
                    c.subscribe(prefix + "/#", settings.qos(), this::judged);
                }
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
            client = c;
            backoffMillis = FIRST_BACKOFF_MILLIS;
            LOG.info("Message verifier subscribed to {} on {}", settings.prefixes(), settings.url());
        } catch (IOException | RuntimeException e) {
            connectFailures.incrementAndGet();
            if (closed) {
                return;
            }
            String why = e.getMessage();
            if (backoffMillis >= MAX_BACKOFF_MILLIS) {
                LOG.warn("The message verifier cannot subscribe on {} (next attempt in {} s): {}", settings.url(),
                        backoffMillis / 1000, why);
            } else {
                LOG.info("The message verifier cannot subscribe on {} yet (next attempt in {} s): {}",
                        settings.url(), backoffMillis / 1000, why);
            }
            worker.schedule(this::connect, backoffMillis, TimeUnit.MILLISECONDS);
            backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        }
    }

    /** The verifier's role: read, nothing else, on each protected prefix. */
    static ServiceAccount.Spec spec(List<String> prefixes) {
        return new ServiceAccount.Spec("the message verifier", ROLE,
                "reads protected topics to judge their messages (warden-crypto)",
                prefixes.stream().map(p -> new ServiceAccount.Grant(p + "/#",
                        org.mqttwarden.api.account.Permission.READ, "protected prefix of verify.prefixes")).toList(),
                "verify.username (PID org.mqttwarden.crypto)", "protected messages are not judged", ACTOR);
    }

    /** The gateway's keys, remembering which id the envelope being judged named. */
    private java.util.Optional<org.mqttwarden.crypto.envelope.EnvelopeKey> lookUp(String keyId) {
        lookedUp = keyId;
        return keys.find(keyId);
    }

    /**
     * One judged message, on the client's delivery thread. An envelope under a session key of the handshake is
     * between a device and its responder: the gateway holds no such key, so it is counted
     * ({@code messages_session}), not recorded as UNKNOWN_KEY.
     */
    void judged(ReceivedMessage m) {
        String keyId = lookedUp;
        lookedUp = null;
        if (m.state() == MessageState.UNKNOWN_KEY && keyId != null && keyId.startsWith(Session.KEY_ID_PREFIX)) {
            sessionMessages.incrementAndGet();
            return;
        }
        counts.get(m.state()).incrementAndGet();
        if (m.isOk()) {
            java.util.Arrays.fill(m.plaintext(), (byte) 0);
            return;
        }
        long now = clock.millis();
        long second = now / 1000;
        if (second != eventSecond) {
            eventSecond = second;
            eventsThisSecond = 0;
        }
        if (++eventsThisSecond > MAX_EVENTS_PER_SECOND) {
            eventsDropped.incrementAndGet();
            if (now - lastDropWarning >= 60_000) {
                lastDropWarning = now;
                LOG.warn("More than {} rejected protected messages a second (now on {}): the rest are counted in"
                        + " warden_crypto_events_dropped_total, not recorded one by one", MAX_EVENTS_PER_SECOND,
                        m.topic());
            }
            return;
        }
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("state", m.state().name());
        if (m.senderId() != null) {
            detail.put("sender", m.senderId());
        }
        SecurityEvent e = new SecurityEvent(clock.instant(), EventType.MESSAGE, Outcome.DENY, reason(m.state()), null,
                null, null, null, m.topic(), null, null, detail);
        // awaited by the audit (a DENY), bounded by event.wait.ms, on the recorder's thread
        recorder.execute(() -> events.publish(e));
    }

    /** @return the reason code of a rejected state (api.event's {@code Reasons.MESSAGE_*}) */
    static String reason(MessageState state) {
        return switch (state) {
            case TAMPERED -> Reasons.MESSAGE_TAMPERED;
            case REPLAYED -> Reasons.MESSAGE_REPLAYED;
            case STALE -> Reasons.MESSAGE_STALE;
            case UNKNOWN_KEY -> Reasons.MESSAGE_UNKNOWN_KEY;
            case MALFORMED -> Reasons.MESSAGE_MALFORMED;
            case OK -> throw new IllegalArgumentException("An OK message is not an event");
        };
    }

    @Override
    public String name() {
        return "crypto";
    }

    /** {@code messages_ok}, {@code messages_tampered} ... per state judged, and failed connection attempts. */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        counts.forEach((s, n) -> m.put("messages_" + s.name().toLowerCase(java.util.Locale.ROOT), n.get()));
        m.put("verifier_connect_failed", connectFailures.get());
        m.put("events_dropped", eventsDropped.get());
        m.put("messages_session", sessionMessages.get());
        return m;
    }

    /** {@code verifier_connected}: 1 while subscribed, 0 otherwise (also when off). */
    @Override
    public Map<String, Long> gauges() {
        return Map.of("verifier_connected", connected() ? 1L : 0L);
    }
}
