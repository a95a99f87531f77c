package org.mqttwarden.alerts;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.mqttwarden.api.account.AccountService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes alerts to the local broker with the Paho MQTT v5 client, off every decision path: {@link #offer}
 * puts the alert in a bounded queue and returns; one thread ({@code warden-alerts-mqtt}) connects and
 * publishes, QoS 1, to {@code <topic>/<type without "alert.">} (e.g. {@code warden/alerts/brute-force}),
 * payload the alert's JSON, content type {@code application/json}, MQTT 5 user properties {@code type} and
 * {@code severity}, a message expiry.
 *
 * <p>When the broker is unreachable, the alert is dropped and counted ({@code mqtt_failed}); reconnects are
 * tried with a backoff of 1 s doubling up to 60 s, and alerts arriving in between are dropped at once. The
 * audit log and the Karaf log have every alert anyway. A full queue drops and counts too.
 */
final class AlertPublisher implements AutoCloseable {

    /**
     * @param url {@code tcp://host:port} or {@code ssl://host:port}
     * @param topic the topic prefix, without a trailing slash
     * @param caFile for {@code ssl://}: a PEM file of the CA certificate(s) to trust; empty: the JVM's
     */
    record Settings(String url, String topic, String username, String clientId, Path credentialsFile,
            String caFile, int queueSize, long expirySeconds) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(AlertPublisher.class);
    private static final Alert STOP = null;
    private static final long MAX_BACKOFF = 60_000;

    private final Settings settings;
    private final Supplier<AccountService> accounts;
    private final BlockingQueue<Alert> queue;
    private final Thread thread;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed;
    private volatile boolean running = true;
    private MqttClient client;
    private long backoff = 1000;
    private long nextAttempt;
    private boolean provisioned;

    /**
     * Starts the publishing thread; connects on the first alert.
     *
     * @param accounts when not {@code null} and giving a service, the service account is provisioned before
     *     the first connect (asked then, not before)
     * @param failed the counter of alerts not published (shared with the detector's metrics)
     */
    AlertPublisher(Settings settings, Supplier<AccountService> accounts, AtomicLong failed) {
        this.settings = settings;
        this.accounts = accounts;
        this.failed = failed;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, settings.queueSize()));
        this.thread = new Thread(this::run, "warden-alerts-mqtt");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    Settings settings() {
        return settings;
    }

    long published() {
        return published.get();
    }

    /** Queues {@code alert} for publishing; never blocks. A full queue drops it (counted). */
    void offer(Alert alert) {
        if (!running || !queue.offer(alert)) {
            failed.incrementAndGet();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
    }

    private void run() {
        while (running) {
            Alert a;
            try {
                a = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (a == STOP) {
                continue;
            }
            try {
                publish(a);
                published.incrementAndGet();
            } catch (Exception e) {
                failed.incrementAndGet();
                LOG.debug("Alert {} not published to {}: {}", a.type(), settings.url(), e.toString());
            }
        }
        failed.addAndGet(queue.size());
        queue.clear();
    }

    private void publish(Alert a) throws Exception {
        MqttClient c = connected();
        MqttMessage m = new MqttMessage(a.toJson().getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        MqttProperties p = new MqttProperties();
        p.setContentType("application/json");
        p.setMessageExpiryInterval(settings.expirySeconds());
        p.setUserProperties(List.of(new UserProperty("type", a.type()),
                new UserProperty("severity", a.severity().label())));
        m.setProperties(p);
        c.publish(topicOf(a), m);
    }

    /** @return {@code <topic>/<type without the alert. prefix>} */
    String topicOf(Alert a) {
        String t = a.type().startsWith("alert.") ? a.type().substring("alert.".length()) : a.type();
        return settings.topic() + "/" + t;
    }

    private MqttClient connected() throws Exception {
        if (client != null && client.isConnected()) {
            return client;
        }
        long now = System.currentTimeMillis();
        if (now < nextAttempt) {
            throw new IllegalStateException("broker unreachable, next attempt in " + (nextAttempt - now) + " ms");
        }
        try {
            AccountService service = provisioned || accounts == null ? null : accounts.get();
            if (service != null) {
                ServiceAccount.provision(service, settings.username(), settings.topic(), settings.credentialsFile());
            }
            provisioned = true;
            org.mqttwarden.store.files.ServiceAccount.Credentials cred =
                    ServiceAccount.read(settings.credentialsFile());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setConnectionTimeout(5);
            o.setKeepAliveInterval(30);
            o.setAutomaticReconnect(false);
            if (cred != null) {
                o.setUserName(cred.username() == null ? settings.username() : cred.username());
                byte[] pw = new String(cred.password()).getBytes(StandardCharsets.UTF_8);
                o.setPassword(pw);
                Arrays.fill(cred.password(), '\0');
            }
            if (settings.url().startsWith("ssl://") && !settings.caFile().isEmpty()) {
                o.setSocketFactory(trusting(Path.of(settings.caFile())).getSocketFactory());
            }
            disconnect();
            MqttClient c = new MqttClient(settings.url(), settings.clientId(), new MemoryPersistence());
            c.setTimeToWait(5000);
            c.connect(o);
            client = c;
            backoff = 1000;
            LOG.info("Alert publisher connected to {} as {}", settings.url(), o.getUserName());
            return c;
        } catch (Exception e) {
            nextAttempt = System.currentTimeMillis() + backoff;
            LOG.warn("Alert publisher cannot connect to {} (next attempt in {} s): {}", settings.url(),
                    backoff / 1000, e.toString());
            backoff = Math.min(MAX_BACKOFF, backoff * 2);
            throw e;
        }
    }

    private void disconnect() {
        MqttClient c = client;
        client = null;
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnect(2000);
            }
        } catch (MqttException e) {
            LOG.debug("Alert publisher disconnect: {}", e.toString());
        }
        try {
            c.close(true);
        } catch (MqttException e) {
            LOG.debug("Alert publisher close: {}", e.toString());
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, cert);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
