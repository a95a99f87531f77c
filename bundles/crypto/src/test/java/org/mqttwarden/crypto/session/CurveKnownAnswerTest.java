package org.mqttwarden.crypto.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;

import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;

/** The curve primitives the handshake uses, against their RFCs' own test vectors. */
class CurveKnownAnswerTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void x25519OfRfc7748Section5_2() {
        byte[] out = new byte[32];
        assertThat(X25519.calculateAgreement(hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"), 0,
                hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"), 0, out, 0)).isTrue();
        assertThat(HexFormat.of().formatHex(out))
                .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    }

    @Test
    void x25519DiffieHellmanOfRfc7748Section6_1() {
        byte[] alice = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePublic = new byte[32];
        byte[] bobPublic = new byte[32];
        X25519.generatePublicKey(alice, 0, alicePublic, 0);
        X25519.generatePublicKey(bob, 0, bobPublic, 0);
        assertThat(HexFormat.of().formatHex(alicePublic))
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(HexFormat.of().formatHex(bobPublic))
                .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        X25519.calculateAgreement(alice, 0, bobPublic, 0, k1, 0);
        X25519.calculateAgreement(bob, 0, alicePublic, 0, k2, 0);
        assertThat(HexFormat.of().formatHex(k1))
                .isEqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assertThat(k2).isEqualTo(k1);
    }

    @Test
    void ed25519OfRfc8032Section7_1Tests1And2() {
        check("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
                        + "d25bf5f0595bbe24655141438e7a100b");
        check("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c"
                        + "387b2eaeb4302aeeb00d291612bb0c00");
    }

    private static void check(String secret, String publicKey, String message, String signature) {
        Identity id = Identity.of("rfc8032", hex(secret));
        assertThat(HexFormat.of().formatHex(id.publicKey())).isEqualTo(publicKey);
        assertThat(HexFormat.of().formatHex(id.sign(hex(message)))).isEqualTo(signature);
        assertThat(Identity.verify(hex(publicKey), hex(message), hex(signature))).isTrue();
        byte[] other = hex(signature);
        other[0] ^= 1;
        assertThat(Identity.verify(hex(publicKey), hex(message), other)).isFalse();
    }
}
