package org.mqttwarden.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mqttwarden.crypto.MessageState;

/**
 * Fixed inputs give exactly the bytes ENVELOPE.md publishes, so the document, the code and another implementation
 * agree byte for byte; the v2 vector is recomputed with Bouncy Castle's GCM (not the JDK's) from the documented parts.
 */
class GoldenVectorTest {

    private static final String FILE = "golden-envelopes.txt";
    private static final HexFormat HEX = HexFormat.of();

    static List<Vectors.Vector> envelopes() {
        return Vectors.load(FILE, "envelope");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("envelopes")
    void sealsExactlyTheGoldenBytes(Vectors.Vector v) {
        EnvelopeCodec codec = new EnvelopeCodec(version(v), new FixedRandom(v.text("random").split(" ")));

        byte[] envelope = codec.seal(EnvelopeKey.of(v.hex("key")), v.text("keyId"), v.text("senderId"),
                Long.parseLong(v.text("sequence")), Long.parseLong(v.text("timestamp")), v.text("topic"),
                v.hex("plaintext"));

        assertThat(HEX.formatHex(envelope)).isEqualTo(v.text("envelope"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("envelopes")
    void opensTheGoldenBytesToTheirInputs(Vectors.Vector v) {
        EnvelopeKey key = EnvelopeKey.of(v.hex("key"));

        Opened opened = new EnvelopeCodec().open(id -> Optional.of(key), v.text("topic"), v.hex("envelope"));

        assertThat(opened.state()).isEqualTo(MessageState.OK);
        assertThat(opened.plaintext()).isEqualTo(v.hex("plaintext"));
        assertThat(opened.header()).isEqualTo(new EnvelopeHeader(version(v), v.text("keyId"), v.text("senderId"),
                Long.parseLong(v.text("sequence")), Long.parseLong(v.text("timestamp"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("envelopes")
    void theSpecificationPublishesTheSameBytes(Vectors.Vector v) throws Exception {
        String marker = "golden:v" + v.text("version");
        assertThat(Spec.lineAfter(marker)).isEqualTo(v.text("envelope"));
    }

    /** The derived keys in the document were computed with {@code openssl kdf}: HKDF as specified, not as coded. */
    @Test
    void derivesTheKeysTheSpecificationStates() throws Exception {
        Vectors.Vector d = Vectors.load(FILE, "derived").get(0);
        byte[] ikm = d.hex("key");

        assertThat(Primitives.hkdfSha256(ikm, ascii("MQTT Warden envelope"),
                ascii("MQTT Warden envelope v1 AES-128-CBC key"), 16)).isEqualTo(d.hex("v1enc"));
        assertThat(Primitives.hkdfSha256(ikm, ascii("MQTT Warden envelope"),
                ascii("MQTT Warden envelope v1 HMAC-SHA256 key"), 32)).isEqualTo(d.hex("v1mac"));
        assertThat(Primitives.hkdfSha256(ikm, ascii("MQTT Warden envelope"),
                ascii("MQTT Warden envelope v2 AES-256-GCM key"), 32)).isEqualTo(d.hex("v2gcm"));
        EnvelopeKey key = EnvelopeKey.of(ikm);
        assertThat(key.v1Encryption().getEncoded()).isEqualTo(d.hex("v1enc"));
        assertThat(key.v1Mac().getEncoded()).isEqualTo(d.hex("v1mac"));
        assertThat(key.v2Encryption().getEncoded()).isEqualTo(d.hex("v2gcm"));
        for (String hex : List.of(d.text("v1enc"), d.text("v1mac"), d.text("v2gcm"))) {
            assertThat(Spec.text()).contains(hex);
        }
    }

    /** v2 from its documented parts with a second GCM implementation: AAD = header ‖ uint16 length ‖ topic. */
    @Test
    void v2GoldenVectorAgreesWithBouncyCastleGcm() throws Exception {
        Vectors.Vector v = envelopes().stream().filter(e -> e.text("version").equals("2")).findFirst().orElseThrow();
        Vectors.Vector d = Vectors.load(FILE, "derived").get(0);
        byte[] envelope = v.hex("envelope");
        int h = 34;
        byte[] header = Arrays.copyOfRange(envelope, 0, h);
        byte[] nonce = Arrays.copyOfRange(envelope, h, h + 12);
        byte[] topic = v.text("topic").getBytes(StandardCharsets.UTF_8);
        byte[] aad = new byte[h + 2 + topic.length];
        System.arraycopy(header, 0, aad, 0, h);
        aad[h] = (byte) (topic.length >>> 8);
        aad[h + 1] = (byte) topic.length;
        System.arraycopy(topic, 0, aad, h + 2, topic.length);

        GCMBlockCipher gcm = (GCMBlockCipher) GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(true, new AEADParameters(new KeyParameter(d.hex("v2gcm")), 128, nonce, aad));
        byte[] plaintext = v.hex("plaintext");
        byte[] out = new byte[gcm.getOutputSize(plaintext.length)];
        int n = gcm.processBytes(plaintext, 0, plaintext.length, out, 0);
        gcm.doFinal(out, n);

        assertThat(Arrays.copyOfRange(envelope, h + 12, envelope.length)).isEqualTo(out);
    }

    private static EnvelopeVersion version(Vectors.Vector v) {
        return EnvelopeVersion.byId(Integer.parseInt(v.text("version")));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
