package org.mqttwarden.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mqttwarden.crypto.MessageState;

/**
 * Every single bit of an envelope flipped in turn, each version: never OK. With a lookup that answers any key id
 * with the right key, even a flipped key id must be caught by the tag (TAMPERED), or by the parser (MALFORMED);
 * with a lookup that knows only the real id, UNKNOWN_KEY is also a correct answer.
 */
class TamperTest {

    private static final String TOPIC = "plant/line1/temp";

    @ParameterizedTest
    @EnumSource(EnvelopeVersion.class)
    void everySingleFlippedBitIsRefused(EnvelopeVersion version) {
        EnvelopeKey key = EnvelopeKey.of(new byte[32]);
        KeyLookup any = id -> Optional.of(key);
        KeyLookup exact = id -> "k1".equals(id) ? Optional.of(key) : Optional.empty();
        EnvelopeCodec codec = new EnvelopeCodec(version);
        byte[] envelope = codec.seal(key, "k1", "sensor-7", 42, 1_767_225_600_000L, TOPIC, "21.5 C".getBytes());
        assertThat(codec.open(any, TOPIC, envelope).isOk()).isTrue();

        Map<MessageState, Integer> seen = new EnumMap<>(MessageState.class);
        for (int bit = 0; bit < envelope.length * 8; bit++) {
            byte[] flipped = envelope.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));

            Opened underAny = codec.open(any, TOPIC, flipped);
            assertThat(underAny.state()).as("bit %d: %s", bit, underAny.reason())
                    .isIn(MessageState.TAMPERED, MessageState.MALFORMED);
            assertThat(underAny.plaintext()).isNull();
            Opened underExact = codec.open(exact, TOPIC, flipped);
            assertThat(underExact.state()).as("bit %d: %s", bit, underExact.reason())
                    .isIn(MessageState.TAMPERED, MessageState.MALFORMED, MessageState.UNKNOWN_KEY);
            seen.merge(underAny.state(), 1, Integer::sum);
        }
        // the body and tag are far larger than the structural fields: most flips reach the tag check
        assertThat(seen.get(MessageState.TAMPERED)).isGreaterThan(envelope.length * 4);
    }
}
