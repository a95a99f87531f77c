package org.mqttwarden.crypto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mqttwarden.crypto.session.Identity;
import org.mqttwarden.crypto.session.Peers;

/** What SecureMqttOptions accepts for session keys, and the one clear sentence for what it does not. */
class SessionOptionsTest {

    private static final Identity DEVICE = Identity.generate("device-1", new SecureRandom());
    private static final Peers NONE = id -> Optional.empty();

    @Test
    void anIdentityReplacesThePreSharedKeyAndIsTheSenderId() {
        SecureMqttOptions o = base("dev-1").identity(DEVICE, NONE).sessionWith("gateway").build();
        assertThat(o.senderId).isEqualTo("device-1");
        assertThat(o.keyId).isNull();
        assertThat(o.toString()).contains("sessions with gateway").doesNotContain("key ");
        assertThatThrownBy(() -> base("dev-1").identity(DEVICE, NONE).senderId("someone-else").build())
                .hasMessage("With an identity, the sender id is the identity's id");
        assertThatThrownBy(() -> base("dev-1").build())
                .hasMessage("A key and its key id are required, unless an identity is given");
        assertThatThrownBy(() -> base("dev-1").senderId("s").sessionWith("gateway")
                .key("k", org.mqttwarden.crypto.envelope.EnvelopeKey.of(new byte[32])).build())
                .hasMessage("Session handshakes need an identity and pinned peers");
    }

    @Test
    void handshakeTopicsMustBeTopicLevelsWithoutWildcards() {
        assertThatThrownBy(() -> base("dev/1").identity(DEVICE, NONE).sessionWith("gateway").build())
                .hasMessageContaining("The client id names the handshake reply topic");
        assertThatThrownBy(() -> base("dev-1").identity(DEVICE, NONE).sessionWith("gate+way").build())
                .hasMessageContaining("The responder id names a topic level");
        assertThatThrownBy(() -> base("dev-1").identity(DEVICE, NONE).sessionWith("gateway")
                .handshakeTopics("warden/#").build()).hasMessageContaining("handshake topic prefix");
        assertThatThrownBy(() -> base("dev-1").identity(Identity.generate("a/b", new SecureRandom()), NONE)
                .respondToHandshakes().build()).hasMessageContaining("A responder's identity id names its request");
        assertThatThrownBy(() -> base("dev-1").identity(DEVICE, NONE).sessionWith("gateway")
                .rekeyAfter(0, Duration.ofHours(1)).build()).hasMessageContaining("Rekey after at least one");
        assertThatThrownBy(() -> new HandshakeLimits(10, 10, 20, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static SecureMqttOptions.Builder base(String clientId) {
        return SecureMqttOptions.builder().url("tcp://127.0.0.1:1883").clientId(clientId);
    }
}
