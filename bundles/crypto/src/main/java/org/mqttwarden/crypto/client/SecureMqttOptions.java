package org.mqttwarden.crypto.client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.EnvelopeVersion;
import org.mqttwarden.crypto.envelope.KeyLookup;
import org.mqttwarden.crypto.replay.ReplayGuard;
import org.mqttwarden.crypto.session.Identity;
import org.mqttwarden.crypto.session.Peers;

/**
 * How a {@link SecureMqttClient} connects and protects messages. Build with {@link #builder}; {@code url} and
 * {@code clientId} are required, and either a pre-shared {@code key}/{@code keyId} with a {@code senderId}, or an
 * {@link Builder#identity identity} for session keys (ENVELOPE.md section 10): then the sender id is the identity's
 * id, and the client is an initiator ({@link Builder#sessionWith}), a responder
 * ({@link Builder#respondToHandshakes}) or both. {@link #toString()} never shows the password or key material.
 */
public final class SecureMqttOptions {

    final String url;
    final String clientId;
    final String username;
    final char[] password;
    final Path caFile;
    final Path clientCertificate;
    final char[] clientCertificatePassword;
    final EnvelopeKey key;
    final String keyId;
    final KeyLookup keys;
    final String senderId;
    final Path stateDir;
    final Clock clock;
    final EnvelopeVersion version;
    final ReplayGuard.Settings replay;
    final int connectTimeoutSeconds;
    final boolean automaticReconnect;
    final Identity identity;
    final Peers peers;
    final String responderId;
    final boolean responder;
    final String handshakePrefix;
    final long rekeyMessages;
    final Duration rekeyAge;
    final Duration handshakeTimeout;
    final Duration sessionGrace;
    final HandshakeLimits handshakeLimits;

    private SecureMqttOptions(Builder b) {
        this.url = b.url;
        this.clientId = b.clientId;
        this.username = b.username;
        this.password = b.password == null ? null : b.password.clone();
        this.caFile = b.caFile;
        this.clientCertificate = b.clientCertificate;
        this.clientCertificatePassword = b.clientCertificatePassword == null ? null
                : b.clientCertificatePassword.clone();
        this.key = b.key;
        this.keyId = b.keyId;
        String sealingId = b.keyId;
        EnvelopeKey sealing = b.key;
        this.keys = b.keys != null ? b.keys : id -> sealingId != null && sealingId.equals(id)
                ? java.util.Optional.of(sealing) : java.util.Optional.empty();
        this.senderId = b.senderId != null ? b.senderId : b.identity == null ? null : b.identity.id();
        this.stateDir = b.stateDir;
        this.clock = b.clock;
        this.version = b.version;
        this.replay = b.replay;
        this.connectTimeoutSeconds = b.connectTimeoutSeconds;
        this.automaticReconnect = b.automaticReconnect;
        this.identity = b.identity;
        this.peers = b.peers;
        this.responderId = b.responderId;
        this.responder = b.responder;
        this.handshakePrefix = b.handshakePrefix;
        this.rekeyMessages = b.rekeyMessages;
        this.rekeyAge = b.rekeyAge;
        this.handshakeTimeout = b.handshakeTimeout;
        this.sessionGrace = b.sessionGrace;
        this.handshakeLimits = b.handshakeLimits;
    }

    /** @return a builder with the defaults: system clock, v2 envelopes, default replay window, 10 s, reconnect on */
    public static Builder builder() {
        return new Builder();
    }

    /** Erases the copies of the passwords these options hold (a connected client no longer needs them). */
    void erasePassword() {
        if (password != null) {
            Arrays.fill(password, '\0');
        }
        if (clientCertificatePassword != null) {
            Arrays.fill(clientCertificatePassword, '\0');
        }
    }

    @Override
    public String toString() {
        return "SecureMqttOptions[" + url + ", client " + clientId + ", sender " + senderId
                + (keyId == null ? "" : ", key " + keyId) + (responderId == null ? "" : ", sessions with "
                + responderId) + (responder ? ", answers handshakes" : "")
                + (username == null ? "" : ", user " + username) + "]";
    }

    /** Collects the options; {@link #build()} checks them. */
    public static final class Builder {

        private String url;
        private String clientId;
        private String username;
        private char[] password;
        private Path caFile;
        private Path clientCertificate;
        private char[] clientCertificatePassword;
        private EnvelopeKey key;
        private String keyId;
        private KeyLookup keys;
        private String senderId;
        private Path stateDir;
        private Clock clock = Clock.systemUTC();
        private EnvelopeVersion version = EnvelopeVersion.V2;
        private ReplayGuard.Settings replay = ReplayGuard.Settings.DEFAULTS;
        private int connectTimeoutSeconds = 10;
        private boolean automaticReconnect = true;
        private Identity identity;
        private Peers peers;
        private String responderId;
        private boolean responder;
        private String handshakePrefix = "warden/handshake";
        private long rekeyMessages = 10_000;
        private Duration rekeyAge = Duration.ofHours(1);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration sessionGrace = Duration.ofSeconds(30);
        private HandshakeLimits handshakeLimits = HandshakeLimits.DEFAULTS;

        private Builder() {
        }

        /**
         * This client's long-term Ed25519 identity and the public keys of the peers it may run a session handshake
         * with (pinned, never learnt from a message). The identity's id is the sender id of what it publishes.
         */
        public Builder identity(Identity identity, Peers peers) {
            this.identity = Objects.requireNonNull(identity, "identity");
            this.peers = Objects.requireNonNull(peers, "peers");
            return this;
        }

        /**
         * Seal everything this client publishes under session keys agreed with {@code responderId} (a device's
         * side): the handshake runs before the first publish and again when {@link #rekeyAfter} says. Needs an
         * {@link #identity} and a client id usable as one topic level (it names the reply topic).
         */
        public Builder sessionWith(String responderId) {
            this.responderId = Objects.requireNonNull(responderId, "responderId");
            return this;
        }

        /**
         * Answer session handshakes from the pinned peers on {@code <prefix>/request/<identity id>} and open their
         * session envelopes (a service's side). Needs an {@link #identity}.
         */
        public Builder respondToHandshakes() {
            this.responder = true;
            return this;
        }

        /** The topic prefix of the handshake ({@code warden/handshake} by default): a topic name, no wildcards. */
        public Builder handshakeTopics(String prefix) {
            this.handshakePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * A new handshake after {@code messages} sealed under a session or once it is {@code age} old, whichever
         * comes first (10 000 and an hour by default). A responder destroys a session this old plus the grace.
         */
        public Builder rekeyAfter(long messages, Duration age) {
            this.rekeyMessages = messages;
            this.rekeyAge = Objects.requireNonNull(age, "age");
            return this;
        }

        /** How long an initiator waits for the reply to its hello (10 s by default). */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long a responder still opens messages under a peer's previous session after the first message under
         * its new one, and keeps an answered session waiting for its first message (30 s by default).
         */
        public Builder sessionGrace(Duration grace) {
            this.sessionGrace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /** How much handshake work a responder takes on ({@link HandshakeLimits#DEFAULTS} by default). */
        public Builder handshakeLimits(HandshakeLimits limits) {
            this.handshakeLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** {@code tcp://host:port} or {@code ssl://host:port} (TLS; give {@link #caFile}). */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** The MQTT client id; unique per connection at the broker. */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** Username and password for the broker; the password array is copied (erase yours afterwards). */
        public Builder credentials(String username, char[] password) {
            this.username = username;
            this.password = password == null ? null : password.clone();
            return this;
        }

        /** A PEM file of the CA(s) that signed the broker's certificate: the only ones trusted for ssl://. */
        public Builder caFile(Path caFile) {
            this.caFile = caFile;
            return this;
        }

        /**
         * A PKCS#12 file with this client's private key and certificate chain, presented to a broker that asks for
         * one (ssl:// only); the password array is copied (erase yours afterwards).
         */
        public Builder clientCertificate(Path pkcs12, char[] password) {
            this.clientCertificate = pkcs12;
            this.clientCertificatePassword = password == null ? null : password.clone();
            return this;
        }

        /** The pre-shared key this client seals with, and its id (also the one it opens with, unless {@link #keys}). */
        public Builder key(String keyId, EnvelopeKey key) {
            this.keyId = keyId;
            this.key = key;
            return this;
        }

        /** The pre-shared key of a key file. */
        public Builder key(PreSharedKey psk) {
            return key(psk.keyId(), psk.key());
        }

        /** Where received envelopes' keys are looked up, when more keys than the sealing one are accepted. */
        public Builder keys(KeyLookup keys) {
            this.keys = keys;
            return this;
        }

        /** The sender id sealed into every envelope this client publishes (1 to 128 bytes of UTF-8). */
        public Builder senderId(String senderId) {
            this.senderId = senderId;
            return this;
        }

        /**
         * The folder (created if missing) where the sender's sequence state is kept, so a restarted sender continues
         * above its last number. Without it the client can subscribe but not publish.
         */
        public Builder stateDir(Path stateDir) {
            this.stateDir = stateDir;
            return this;
        }

        /** The clock for envelope timestamps and the replay window (tests inject one). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The envelope version published (v2, AES-256-GCM, by default); every version is opened. */
        public Builder version(EnvelopeVersion version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** The receiver's replay window settings. */
        public Builder replay(ReplayGuard.Settings replay) {
            this.replay = Objects.requireNonNull(replay, "replay");
            return this;
        }

        /** Seconds to wait for the broker when connecting (1 to 300). */
        public Builder connectTimeoutSeconds(int seconds) {
            this.connectTimeoutSeconds = seconds;
            return this;
        }

        /** Whether a lost connection is re-established automatically (on by default). */
        public Builder automaticReconnect(boolean on) {
            this.automaticReconnect = on;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the first missing or invalid option
         */
        public SecureMqttOptions build() {
            if (url == null || !(url.startsWith("tcp://") || url.startsWith("ssl://"))) {
                throw new IllegalArgumentException("The broker URL must start with tcp:// or ssl://");
            }
            if (clientId == null || clientId.isEmpty() || clientId.length() > 128) {
                throw new IllegalArgumentException("The client id must be 1 to 128 characters");
            }
            // a subscriber only (no state folder) may open with a key lookup alone, e.g. the gateway's verifier
            boolean opensOnly = keys != null && stateDir == null;
            if ((key == null) != (keyId == null) || key == null && identity == null && !opensOnly) {
                throw new IllegalArgumentException("A key and its key id are required, unless an identity is given");
            }
            if (identity != null && senderId != null && !senderId.equals(identity.id())) {
                throw new IllegalArgumentException("With an identity, the sender id is the identity's id");
            }
            if (identity == null && senderId == null && !opensOnly || senderId != null && senderId.isEmpty()) {
                throw new IllegalArgumentException("The sender id is required");
            }
            if (identity != null && identity.id().getBytes(StandardCharsets.UTF_8).length > 128) {
                throw new IllegalArgumentException("An identity's id is the sender id: at most 128 UTF-8 bytes");
            }
            if ((responderId != null || responder) && identity == null) {
                throw new IllegalArgumentException("Session handshakes need an identity and pinned peers");
            }
            if (responderId != null || responder) {
                checkHandshakeTopics();
            }
            if ((caFile != null || clientCertificate != null) && !url.startsWith("ssl://")) {
                throw new IllegalArgumentException("A CA file or client certificate is for ssl:// URLs; with tcp://"
                        + " it would be ignored");
            }
            if (password != null && username == null) {
                throw new IllegalArgumentException("A password needs a username");
            }
            if (connectTimeoutSeconds < 1 || connectTimeoutSeconds > 300) {
                throw new IllegalArgumentException("The connect timeout must be 1 to 300 seconds");
            }
            return new SecureMqttOptions(this);
        }

        private void checkHandshakeTopics() {
            if (!isTopicName(handshakePrefix) || handshakePrefix.endsWith("/")) {
                throw new IllegalArgumentException("The handshake topic prefix must be a topic name without"
                        + " wildcards and without a trailing /");
            }
            if (responderId != null && !isLevel(responderId)) {
                throw new IllegalArgumentException("The responder id names a topic level: it must not be empty or"
                        + " contain / + #");
            }
            if (responderId != null && !isLevel(clientId)) {
                throw new IllegalArgumentException("The client id names the handshake reply topic: it must not"
                        + " contain / + #");
            }
            if (responder && !isLevel(identity.id())) {
                throw new IllegalArgumentException("A responder's identity id names its request topic: it must not"
                        + " contain / + #");
            }
            if (rekeyMessages < 1 || rekeyAge.isNegative() || rekeyAge.isZero()) {
                throw new IllegalArgumentException("Rekey after at least one message and a positive time");
            }
            if (handshakeTimeout.isNegative() || handshakeTimeout.isZero() || sessionGrace.isNegative()
                    || sessionGrace.isZero()) {
                throw new IllegalArgumentException("The handshake timeout and the session grace must be positive");
            }
        }

        private static boolean isLevel(String s) {
            return !s.isEmpty() && s.indexOf('/') < 0 && isTopicName(s);
        }

        private static boolean isTopicName(String s) {
            if (s.isEmpty() || s.indexOf('+') >= 0 || s.indexOf('#') >= 0 || s.indexOf('\0') >= 0) {
                return false;
            }
            try {
                org.eclipse.paho.mqttv5.common.util.MqttTopicValidator.validate(s, false, true);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
