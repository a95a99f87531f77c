package org.mqttwarden.crypto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mqttwarden.crypto.MessageState;

class ReceivedMessageTest {

    @Test
    void onlyAuthenticStatesNameTheSenderAndOnlyOkCarriesPlaintext() {
        assertThat(new ReceivedMessage("t", MessageState.REPLAYED, "s", null).senderId()).isEqualTo("s");
        assertThat(new ReceivedMessage("t", MessageState.STALE, "s", null).toString()).contains("from s")
                .doesNotContain("bytes");
        for (MessageState unverified : new MessageState[] {MessageState.TAMPERED, MessageState.UNKNOWN_KEY,
            MessageState.MALFORMED}) {
            assertThatThrownBy(() -> new ReceivedMessage("t", unverified, "claimed", null))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(new ReceivedMessage("t", unverified, null, null).senderId()).isNull();
        }
        assertThatThrownBy(() -> new ReceivedMessage("t", MessageState.REPLAYED, "s", new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReceivedMessage("t", MessageState.OK, null, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReceivedMessage("t", MessageState.OK, "s", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
