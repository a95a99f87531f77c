package org.mqttwarden.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mqttwarden.crypto.MessageState;

/** Round trips and every refusal of {@link EnvelopeCodec}, both versions. */
class EnvelopeCodecTest {

    private static final String TOPIC = "plant/line1/temp";
    private static final int[] SIZES = {0, 1, 15, 16, 17, 255, 4096, 65536, 262144};

    private final Random seeded = new Random(14);
    private final EnvelopeKey key = EnvelopeKey.of(bytes(32));
    private final KeyLookup keys = id -> "k1".equals(id) ? Optional.of(key) : Optional.empty();

    @ParameterizedTest
    @EnumSource(EnvelopeVersion.class)
    void roundTripsEverySizeWithItsHeader(EnvelopeVersion version) {
        EnvelopeCodec codec = new EnvelopeCodec(version);
        for (int size : SIZES) {
            byte[] plaintext = bytes(size);
            byte[] envelope = codec.seal(key, "k1", "sensor-7", size, 1_767_225_600_000L + size, TOPIC, plaintext);
            int header = EnvelopeCodec.FIXED_HEADER_BYTES + 2 + 8;
            int body = version == EnvelopeVersion.V1 ? (size / 16 + 1) * 16 : size;
            assertThat(envelope).as("size %d", size)
                    .hasSize(header + version.ivLength() + body + version.tagLength());

            Opened opened = codec.open(keys, TOPIC, envelope);

            assertThat(opened.state()).as("size %d: %s", size, opened.reason()).isEqualTo(MessageState.OK);
            assertThat(opened.plaintext()).isEqualTo(plaintext);
            assertThat(opened.header()).isEqualTo(
                    new EnvelopeHeader(version, "k1", "sensor-7", size, 1_767_225_600_000L + size));
        }
    }

    @Test
    void sealsV2ByDefaultAndOpensEitherVersion() {
        EnvelopeCodec defaults = new EnvelopeCodec();
        byte[] v1 = new EnvelopeCodec(EnvelopeVersion.V1).seal(key, "k1", "s", 1, 2, TOPIC, bytes(3));

        assertThat(defaults.version()).isEqualTo(EnvelopeVersion.V2);
        assertThat(defaults.seal(key, "k1", "s", 1, 2, TOPIC, bytes(3))[4]).isEqualTo((byte) 2);
        assertThat(defaults.open(keys, TOPIC, v1).header().version()).isEqualTo(EnvelopeVersion.V1);
    }

    @ParameterizedTest
    @EnumSource(EnvelopeVersion.class)
    void theSameEnvelopeOnAnotherTopicIsTampered(EnvelopeVersion version) {
        byte[] envelope = new EnvelopeCodec(version).seal(key, "k1", "sensor-7", 1, 2, TOPIC, bytes(20));

        for (String other : List.of("plant/line1/tem", "plant/line1/temp/", "plant/line2/temp", "Plant/line1/temp",
                "plant/line1/temp\u00e9")) {
            Opened opened = new EnvelopeCodec(version).open(keys, other, envelope);
            assertThat(opened.state()).as(other).isEqualTo(MessageState.TAMPERED);
            assertThat(opened.plaintext()).isNull();
            assertThat(opened.header()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(EnvelopeVersion.class)
    void anotherKeyUnderTheSameIdIsTampered(EnvelopeVersion version) {
        EnvelopeCodec codec = new EnvelopeCodec(version);
        byte[] envelope = codec.seal(EnvelopeKey.of(bytes(32)), "k1", "sensor-7", 1, 2, TOPIC, bytes(20));

        assertThat(codec.open(keys, TOPIC, envelope).state()).isEqualTo(MessageState.TAMPERED);
    }

    @ParameterizedTest
    @EnumSource(EnvelopeVersion.class)
    void anUnknownKeyIdIsUnknownKey(EnvelopeVersion version) {
        EnvelopeCodec codec = new EnvelopeCodec(version);
        byte[] envelope = codec.seal(key, "k2", "sensor-7", 1, 2, TOPIC, bytes(20));

        Opened opened = codec.open(keys, TOPIC, envelope);

        assertThat(opened.state()).isEqualTo(MessageState.UNKNOWN_KEY);
        assertThat(opened.reason()).doesNotContain("k2");
        assertThat(codec.open(id -> null, TOPIC, envelope).state()).isEqualTo(MessageState.UNKNOWN_KEY);
    }

    /** A version-1 tag can never be replayed as version 2 (or back): the version byte is in what is authenticated. */
    @Test
    void aVersionByteSwappedWithItsAlgorithmIsStillRefused() {
        for (EnvelopeVersion version : EnvelopeVersion.values()) {
            byte[] envelope = new EnvelopeCodec(version).seal(key, "k1", "s", 1, 2, TOPIC, bytes(48));
            int other = version == EnvelopeVersion.V1 ? 2 : 1;
            envelope[4] = (byte) other;
            envelope[5] = (byte) other;

            assertThat(new EnvelopeCodec().open(keys, TOPIC, envelope).state()).as(version.name())
                    .isIn(MessageState.TAMPERED, MessageState.MALFORMED);
        }
    }

    @ParameterizedTest
    @EnumSource(EnvelopeVersion.class)
    void everyTruncationIsMalformedOrTamperedWithoutAnException(EnvelopeVersion version) {
        EnvelopeCodec codec = new EnvelopeCodec(version);
        byte[] envelope = codec.seal(key, "k1", "sensor-7", 1, 2, TOPIC, bytes(40));

        for (int length = 0; length < envelope.length; length++) {
            Opened opened = codec.open(keys, TOPIC, Arrays.copyOf(envelope, length));
            assertThat(opened.state()).as("first %d bytes: %s", length, opened.reason())
                    .isIn(MessageState.MALFORMED, MessageState.TAMPERED);
        }
        byte[] longer = Arrays.copyOf(envelope, envelope.length + 1);
        assertThat(codec.open(keys, TOPIC, longer).state()).isIn(MessageState.MALFORMED, MessageState.TAMPERED);
    }

    /**
     * The padding-oracle attack on CBC edits the block before the last and watches whether the padding was good.
     * With the tag checked first, all 256 edits of one byte get the same answer, so nothing about padding leaks.
     */
    @Test
    void v1AnswersEveryPaddingProbeTheSameWay() {
        EnvelopeCodec codec = new EnvelopeCodec(EnvelopeVersion.V1);
        byte[] envelope = codec.seal(key, "k1", "sensor-7", 1, 2, TOPIC, bytes(40));
        int probe = envelope.length - 32 - 16 - 1;
        Set<String> answers = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            byte[] edited = envelope.clone();
            edited[probe] ^= (byte) b;
            Opened opened = codec.open(keys, TOPIC, edited);
            if (b != 0) {
                answers.add(opened.state() + ": " + opened.reason());
            }
        }
        assertThat(answers).containsExactly("TAMPERED: tag does not verify (payload, header or topic altered)");
    }

    /** Bad padding can only be met after a good tag, i.e. from a key holder; it is still refused, never OK. */
    @Test
    void v1WithAGoodTagOverBadPaddingIsMalformed() throws Exception {
        byte[] envelope = new EnvelopeCodec(EnvelopeVersion.V1).seal(key, "k1", "s", 1, 2, TOPIC, bytes(5));
        int h = EnvelopeCodec.FIXED_HEADER_BYTES + 2 + 1;
        Cipher raw = Cipher.getInstance("AES/CBC/NoPadding");
        raw.init(Cipher.ENCRYPT_MODE, key.v1Encryption(),
                new IvParameterSpec(envelope, h, 16));
        byte[] badlyPadded = new byte[16];
        badlyPadded[15] = 17;
        raw.doFinal(badlyPadded, 0, 16, envelope, h + 16);
        Mac mac = Primitives.hmacSha256();
        mac.init(key.v1Mac());
        mac.update(envelope, 0, h);
        mac.update(EnvelopeCodec.topicFrame(TOPIC));
        mac.update(envelope, h, 32);
        mac.doFinal(envelope, h + 32);

        Opened opened = new EnvelopeCodec().open(keys, TOPIC, envelope);

        assertThat(opened.state()).isEqualTo(MessageState.MALFORMED);
        assertThat(opened.reason()).isEqualTo("authentic v1 envelope with invalid padding");
    }

    @Test
    void randomGarbageIsNeverOkAndNeverThrows() {
        EnvelopeCodec codec = new EnvelopeCodec();
        KeyLookup any = id -> Optional.of(key);
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = bytes(seeded.nextInt(200));
            if (i % 2 == 0 && garbage.length >= 6) {
                // past the magic, so that the parser beyond it is exercised too
                System.arraycopy(EnvelopeCodec.MAGIC, 0, garbage, 0, 4);
                garbage[4] = (byte) (1 + seeded.nextInt(2));
                garbage[5] = garbage[4];
                if (garbage.length > 7) {
                    garbage[6] = (byte) (1 + seeded.nextInt(10));
                }
            }
            Opened opened = codec.open(any, TOPIC, garbage);
            assertThat(opened.state()).isIn(MessageState.MALFORMED, MessageState.TAMPERED);
        }
    }

    @Test
    void eachStructuralFaultIsMalformedWithItsOwnReason() {
        byte[] good = new EnvelopeCodec(EnvelopeVersion.V1).seal(key, "k1", "sensor-7", 1, 2, TOPIC, bytes(5));
        Map<String, byte[]> faults = Map.ofEntries(
                Map.entry("no payload", new byte[0]),
                Map.entry("not an envelope (wrong magic)", with(good, 0, 'm')),
                Map.entry("unknown envelope version", with(good, 4, 3)),
                Map.entry("algorithm does not belong to the envelope version", with(good, 5, 2)),
                Map.entry("key id length outside 1..64", with(good, 6, 0)),
                Map.entry("key id is not UTF-8 text without control characters", with(good, 7, 0xC0)),
                Map.entry("sender id length outside 1..128", with(good, 9, 129)),
                Map.entry("sender id is not UTF-8 text without control characters", with(good, 10, 0x0A)),
                Map.entry("sequence number above 2^63-1", with(good, 18, 0x80)),
                Map.entry("timestamp above 2^63-1", with(good, 26, 0x80)),
                Map.entry("v1 ciphertext is not a positive whole number of AES blocks",
                        Arrays.copyOf(good, good.length - 1)));
        EnvelopeCodec codec = new EnvelopeCodec();
        for (Map.Entry<String, byte[]> fault : faults.entrySet()) {
            Opened opened = codec.open(keys, TOPIC, fault.getValue());
            assertThat(opened.state()).as(fault.getKey()).isEqualTo(MessageState.MALFORMED);
            if (fault.getValue().length > 0) {
                assertThat(opened.reason()).isEqualTo(fault.getKey());
            }
        }
        assertThat(codec.open(keys, "plant/+/temp", good).reason()).isEqualTo("the topic is not an MQTT topic name");
        assertThat(codec.open(keys, "", good).state()).isEqualTo(MessageState.MALFORMED);
    }

    /** A length field claiming more than arrived allocates nothing for it: the refusal comes from the bounds. */
    @Test
    void aLengthFieldCannotMakeTheParserReadOrAllocateBeyondTheInput() {
        byte[] tiny = {'M', 'Q', 'W', 'E', 2, 2, 64, 'k'};
        assertThat(new EnvelopeCodec().open(keys, TOPIC, tiny).reason()).isEqualTo("truncated in the key id");
        byte[] sender = {'M', 'Q', 'W', 'E', 2, 2, 1, 'k', (byte) 128, 's'};
        assertThat(new EnvelopeCodec().open(keys, TOPIC, sender).reason())
                .isEqualTo("truncated in the sender id, sequence number or timestamp");
    }

    @Test
    void refusesToSealWithArgumentsOutsideTheSpecificationNamingNoValue() {
        EnvelopeCodec codec = new EnvelopeCodec();
        List<Callable<byte[]>> bad = List.of(
                () -> codec.seal(key, "", "s", 1, 2, TOPIC, bytes(1)),
                () -> codec.seal(key, "k".repeat(65), "s", 1, 2, TOPIC, bytes(1)),
                () -> codec.seal(key, "k\n1", "s", 1, 2, TOPIC, bytes(1)),
                () -> codec.seal(key, "k1", "s".repeat(129), 1, 2, TOPIC, bytes(1)),
                () -> codec.seal(key, "k1", "\ud800", 1, 2, TOPIC, bytes(1)),
                () -> codec.seal(key, "k1", "s", -1, 2, TOPIC, bytes(1)),
                () -> codec.seal(key, "k1", "s", 1, -2, TOPIC, bytes(1)),
                () -> codec.seal(key, "k1", "s", 1, 2, "plant/#", bytes(1)),
                () -> codec.seal(key, "k1", "s", 1, 2, "t".repeat(65_536), bytes(1)),
                () -> codec.seal(key, "k1", "s", 1, 2, "", bytes(1)));
        for (Callable<byte[]> call : bad) {
            assertThatThrownBy(call::call).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("k\n1").hasMessageNotContaining("plant/#");
        }
        assertThatThrownBy(() -> EnvelopeKey.of(new byte[16])).isInstanceOf(IllegalArgumentException.class);
        assertThat(key).hasToString("EnvelopeKey[material hidden]");
    }

    @Test
    void acceptsUtf8IdsAndTopicsAtTheirLimits() {
        EnvelopeCodec codec = new EnvelopeCodec();
        String keyId = "\u00e9".repeat(32);
        String sender = "\ud83d\ude80".repeat(32);
        String topic = "t".repeat(65_535);
        byte[] envelope = codec.seal(key, keyId, sender, Long.MAX_VALUE, Long.MAX_VALUE, topic, bytes(1));

        Opened opened = codec.open(id -> Optional.of(key), topic, envelope);

        assertThat(opened.state()).isEqualTo(MessageState.OK);
        assertThat(opened.header()).isEqualTo(
                new EnvelopeHeader(EnvelopeVersion.V2, keyId, sender, Long.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    void aResultNeverShowsItsPlaintext() {
        byte[] secret = "the secret payload".getBytes(StandardCharsets.UTF_8);
        EnvelopeCodec codec = new EnvelopeCodec();
        Opened opened = codec.open(keys, TOPIC, codec.seal(key, "k1", "s", 1, 2, TOPIC, secret));

        assertThat(opened.isOk()).isTrue();
        assertThat(opened.toString()).doesNotContain("secret").contains("18 bytes");
    }

    /** One codec shared by threads sealing and opening at once: every envelope opens to its own plaintext. */
    @ParameterizedTest
    @EnumSource(EnvelopeVersion.class)
    void isSafeToShareBetweenThreads(EnvelopeVersion version) throws Exception {
        EnvelopeCodec codec = new EnvelopeCodec(version);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        byte[] plaintext = (thread + ":" + i).getBytes(StandardCharsets.UTF_8);
                        Opened opened = codec.open(keys, TOPIC,
                                codec.seal(key, "k1", "s" + thread, i, 2, TOPIC, plaintext));
                        if (!opened.isOk() || !Arrays.equals(opened.plaintext(), plaintext)
                                || opened.header().sequence() != i) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] with(byte[] envelope, int offset, int value) {
        byte[] copy = envelope.clone();
        copy[offset] = (byte) value;
        return copy;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        seeded.nextBytes(b);
        return b;
    }
}
