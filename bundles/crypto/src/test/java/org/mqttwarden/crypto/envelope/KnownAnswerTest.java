package org.mqttwarden.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Published known answers (NIST CAVP and SP 800-38A, RFC 4231, RFC 5869) run through {@link Primitives}, the very
 * ciphers, MAC and KDF the codec calls, so a provider that computes something else fails here by name.
 */
class KnownAnswerTest {

    private static final String FILE = "known-answers.txt";

    static List<Vectors.Vector> gcm() {
        return Vectors.load(FILE, "gcm");
    }

    static List<Vectors.Vector> cbc() {
        return Vectors.load(FILE, "cbc");
    }

    static List<Vectors.Vector> hmac() {
        return Vectors.load(FILE, "hmac");
    }

    static List<Vectors.Vector> hkdf() {
        return Vectors.load(FILE, "hkdf");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gcm")
    void aes256GcmMatchesCavp(Vectors.Vector v) throws Exception {
        SecretKeySpec key = new SecretKeySpec(v.hex("key"), "AES");
        byte[] expected = concat(v.hex("ct"), v.hex("tag"));

        Cipher enc = Primitives.gcm();
        enc.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, v.hex("iv")));
        enc.updateAAD(v.hex("aad"));
        assertThat(enc.doFinal(v.hex("pt"))).isEqualTo(expected);

        Cipher dec = Primitives.gcm();
        dec.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, v.hex("iv")));
        dec.updateAAD(v.hex("aad"));
        assertThat(dec.doFinal(expected)).isEqualTo(v.hex("pt"));
    }

    /**
     * The codec's CBC cipher pads (PKCS#7), the CAVP vectors do not; CBC chains forward, so the vector's ciphertext
     * is exactly the first blocks of the padded output, and that output decrypts back to the vector's plaintext.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cbc")
    void aes128CbcMatchesCavp(Vectors.Vector v) throws Exception {
        SecretKeySpec key = new SecretKeySpec(v.hex("key"), "AES");
        byte[] pt = v.hex("pt");
        byte[] ct = v.hex("ct");

        Cipher enc = Primitives.cbc();
        enc.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(v.hex("iv")));
        byte[] padded = enc.doFinal(pt);
        assertThat(padded).hasSize(pt.length + 16);
        assertThat(Arrays.copyOf(padded, ct.length)).isEqualTo(ct);

        Cipher dec = Primitives.cbc();
        dec.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(v.hex("iv")));
        assertThat(dec.doFinal(padded)).isEqualTo(pt);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hmac")
    void hmacSha256MatchesRfc4231(Vectors.Vector v) throws Exception {
        Mac mac = Primitives.hmacSha256();
        mac.init(new SecretKeySpec(v.hex("key"), Primitives.HMAC));
        assertThat(mac.doFinal(v.hex("data"))).isEqualTo(v.hex("mac"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hkdf")
    void hkdfSha256MatchesRfc5869(Vectors.Vector v) {
        byte[] okm = v.hex("okm");
        assertThat(Primitives.hkdfSha256(v.hex("ikm"), v.hex("salt"), v.hex("info"), okm.length)).isEqualTo(okm);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
