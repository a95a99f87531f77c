package org.mqttwarden.crypto.client;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.EnvelopeVersion;
import org.mqttwarden.crypto.envelope.KeyLookup;
import org.mqttwarden.crypto.replay.ReplayGuard;

/**
 * How a {@link SecureMqttClient} connects and protects messages. Build with {@link #builder}; {@code url},
 * {@code clientId}, {@code key}/{@code keyId} and {@code senderId} are required. {@link #toString()} never shows the
 * password or key material.
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
        this.keys = b.keys != null ? b.keys : id -> b.keyId.equals(id) ? java.util.Optional.of(b.key)
                : java.util.Optional.empty();
        this.senderId = b.senderId;
        this.stateDir = b.stateDir;
        this.clock = b.clock;
        this.version = b.version;
        this.replay = b.replay;
        this.connectTimeoutSeconds = b.connectTimeoutSeconds;
        this.automaticReconnect = b.automaticReconnect;
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
        return "SecureMqttOptions[" + url + ", client " + clientId + ", sender " + senderId + ", key " + keyId
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

        private Builder() {
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
            if ((key == null || keyId == null) && !opensOnly) {
                throw new IllegalArgumentException("A key and its key id are required");
            }
            if ((senderId == null || senderId.isEmpty()) && !opensOnly) {
                throw new IllegalArgumentException("The sender id is required");
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
    }
}
