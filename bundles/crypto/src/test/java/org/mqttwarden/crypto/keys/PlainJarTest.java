package org.mqttwarden.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.junit.jupiter.api.Test;
import org.mqttwarden.crypto.envelope.EnvelopeCodec;
import org.mqttwarden.crypto.envelope.EnvelopeKey;

/**
 * warden-crypto as a device uses it: a plain jar beside Bouncy Castle, no OSGi, Jdbi, warden-api or Karaf. The
 * library packages and the device's side of the keys package reference none of them, and a device provisioned from
 * a key export opens the gateway's envelopes in a class loader that has nothing else.
 */
class PlainJarTest {

    private static final List<String> GATEWAY_ONLY = List.of("org/osgi/service/", "org/osgi/framework/", "org/jdbi/",
            "org/mqttwarden/api/", "org/mqttwarden/store/", "org/apache/karaf/");
    private static final List<String> DEVICE_SIDE_KEYS = List.of("KeyExport", "KeyExport$KekSource",
            "ProvisionedKey", "Utf8");

    private static Path classes() throws Exception {
        return Path.of(KeyExport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void noLibraryClassReferencesAGatewayOnlyPackage() throws Exception {
        Path root = classes().resolve("org/mqttwarden/crypto");
        List<Path> library;
        try (Stream<Path> files = Files.walk(root)) {
            library = files.filter(f -> f.toString().endsWith(".class")).filter(f -> {
                String rel = root.relativize(f).toString();
                return !rel.startsWith("command/") && !rel.startsWith("verifier/") && (!rel.startsWith("keys/")
                        || DEVICE_SIDE_KEYS.contains(rel.substring(5, rel.length() - 6)));
            }).toList();
        }
        assertThat(library).hasSizeGreaterThan(10);
        // the search finds such references where they are: in the gateway's store
        assertThat(new String(Files.readAllBytes(root.resolve("keys/GatewayKeyStore.class")),
                StandardCharsets.ISO_8859_1)).contains("org/jdbi/", "org/mqttwarden/api/", "org/osgi/service/");
        for (Path f : library) {
            String constants = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            assertThat(GATEWAY_ONLY).as(f.toString()).noneMatch(constants::contains);
        }
    }

    @Test
    void aDeviceWithThePlainJarAndBouncyCastleAloneUnwrapsItsKeyAndOpensTheGatewaysEnvelopes() throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        char[] passphrase = "a passphrase told by phone".toCharArray();
        byte[] export = KeyExport.wrap("0a1b2c3d4e5f6071", "plant", secret, passphrase.clone(), new SecureRandom());
        byte[] envelope = new EnvelopeCodec().seal(EnvelopeKey.of(secret), "0a1b2c3d4e5f6071", "gateway", 7,
                1_790_000_000_000L, "plant/temp", "21.5".getBytes(StandardCharsets.UTF_8));

        URL bouncyCastle = SHA256Digest.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader device = new URLClassLoader(new URL[] {classes().toUri().toURL(), bouncyCastle},
                ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> device.loadClass("org.jdbi.v3.core.Jdbi"))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> device.loadClass(GatewayKeyStore.class.getName()).getDeclaredConstructors())
                    .as("the isolation is real: the gateway's store cannot link here").isInstanceOf(LinkageError.class);

            Class<?> exportClass = device.loadClass(KeyExport.class.getName());
            Object key = exportClass.getMethod("unwrap", byte[].class, char[].class).invoke(null, export, passphrase);
            assertThat(key.getClass().getClassLoader()).isSameAs(device);
            assertThat(key.getClass().getMethod("keyId").invoke(key)).isEqualTo("0a1b2c3d4e5f6071");
            Object envelopeKey = key.getClass().getMethod("envelopeKey").invoke(key);

            Class<?> codecClass = device.loadClass(EnvelopeCodec.class.getName());
            Class<?> lookupClass = device.loadClass("org.mqttwarden.crypto.envelope.KeyLookup");
            Object lookup = Proxy.newProxyInstance(device, new Class<?>[] {lookupClass}, (p, m, args) ->
                    m.getName().equals("find") && "0a1b2c3d4e5f6071".equals(args[0]) ? Optional.of(envelopeKey)
                            : Optional.empty());
            Object codec = codecClass.getConstructor().newInstance();
            Object opened = codecClass.getMethod("open", lookupClass, String.class, byte[].class).invoke(codec, lookup,
                    "plant/temp", envelope);
            assertThat(opened.getClass().getMethod("state").invoke(opened).toString()).isEqualTo("OK");
            assertThat(new String((byte[]) opened.getClass().getMethod("plaintext").invoke(opened),
                    StandardCharsets.UTF_8)).isEqualTo("21.5");
        }
    }
}
