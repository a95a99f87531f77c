package org.mqttwarden.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests that need real TLS: a server (an SMTP server, an HTTPS listener)
 * gets a certificate this CA signed, and the code under test is told to trust this CA only, as an operator
 * trusts a private CA. Everything lives in memory until a {@code write...} method puts it in a directory.
 *
 * <pre>{@code
 * TestPki pki = TestPki.create("mail");
 * TestPki.Issued server = pki.server("localhost", "127.0.0.1");
 * SSLContext serverSide = server.sslContext();          // for the server under test
 * Path caPem = pki.writeCaPem(tempDir);                 // for the client under test (e.g. mail.trust.file)
 * }</pre>
 *
 * <p>Failure cases: a certificate from another CA is {@code TestPki.create("other").server(...)}; one whose name
 * does not match is {@code pki.server("wrong.example.org")}; an expired one is {@link #expiredServer}.
 *
 * <p>Keys are EC P-256 (quick to make, accepted by the JDK, Chromium and OpenSSL); signatures SHA256withECDSA;
 * serial numbers random. Certificates carry what strict clients require: a CA with basic constraints and
 * keyCertSign; a server certificate that is no CA, with digitalSignature, serverAuth and its names as subject
 * alternative names (a literal IPv4 or IPv6 address becomes an IP address name, anything else a DNS name).
 * Validity is taken from the system clock (a TLS handshake checks against it): from a day ago to 30 days on.
 * No JCA provider is registered: Bouncy Castle only builds and signs, the JDK's providers do the rest.
 */
public final class TestPki {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
    private static final Duration DAY = Duration.ofDays(1);

    private final String label;
    private final KeyPair caKeys;
    private final X509Certificate ca;

    private TestPki(String label, KeyPair caKeys, X509Certificate ca) {
        this.label = label;
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /**
     * @param label names the CA ({@code CN=<label> Test CA}) and prefixes the files written, e.g. {@code "mail"}
     * @return a new CA with its own key, valid from a day ago to 30 days on
     */
    public static TestPki create(String label) {
        if (!label.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a label is letters, digits, '.', '_' or '-', not '" + label + "'");
        }
        try {
            KeyPair keys = newKeyPair();
            X500Name name = new X500Name("CN=" + label + " Test CA,O=MQTT Warden tests");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(DAY)),
                    Date.from(now.plus(DAY.multipliedBy(30))), name, keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new TestPki(label, keys, sign(b, keys.getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make a test CA", e);
        }
    }

    /** @return the CA's certificate (self-signed), the one trust anchor of everything it issues */
    public X509Certificate caCertificate() {
        return ca;
    }

    /**
     * Writes the CA certificate as PEM, what a client is pointed at to trust this CA.
     *
     * @param dir an existing directory
     * @return {@code dir/<label>-ca.pem}, replaced if it was there
     */
    public Path writeCaPem(Path dir) {
        return writeString(dir.resolve(label + "-ca.pem"), pem(List.of(ca)), false);
    }

    /** @return a client-side context that trusts this CA and nothing else (e.g. for an HTTPS client in a test) */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a client TLS context", e);
        }
    }

    /**
     * @param names DNS names or IP address literals the certificate is valid for, at least one; the first is its
     *     subject's CN and the stem of the files written
     * @return a server certificate signed by this CA, valid from a day ago to 30 days on, with its own key
     */
    public Issued server(String... names) {
        Instant now = Instant.now();
        return issue(names, now.minus(DAY), now.plus(DAY.multipliedBy(30)), "");
    }

    /** @return like {@link #server}, but its validity ended a day ago (it began 30 days ago) */
    public Issued expiredServer(String... names) {
        Instant now = Instant.now();
        return issue(names, now.minus(DAY.multipliedBy(30)), now.minus(DAY), "-expired");
    }

    private Issued issue(String[] names, Instant from, Instant to, String suffix) {
        if (names.length == 0) {
            throw new IllegalArgumentException("a server certificate needs at least one name");
        }
        try {
            KeyPair keys = newKeyPair();
            List<GeneralName> alt = new ArrayList<>();
            for (String n : names) {
                alt.add(IP_LITERAL.matcher(n).matches()
                        ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(n).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, n));
            }
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(from), Date.from(to),
                    new X500Name("CN=" + names[0] + ",O=MQTT Warden tests"), keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(GeneralName[]::new)));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            X509Certificate cert = sign(b, caKeys.getPrivate());
            return new Issued(label + "-" + names[0].replace(':', '_') + suffix, keys.getPrivate(), List.of(cert, ca));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a test server certificate", e);
        }
    }

    /** A server's key and certificate chain (its certificate first, then the CA's), in the forms servers take. */
    public static final class Issued {

        /** The alias of the key entry in {@link #keyStore}. */
        public static final String ALIAS = "server";

        private final String stem;
        private final PrivateKey key;
        private final List<X509Certificate> chain;

        private Issued(String stem, PrivateKey key, List<X509Certificate> chain) {
            this.stem = stem;
            this.key = key;
            this.chain = chain;
        }

        /** @return the server's private key */
        public PrivateKey privateKey() {
            return key;
        }

        /** @return the server's certificate, then the CA's */
        public List<X509Certificate> chain() {
            return chain;
        }

        /** @return the server's own certificate */
        public X509Certificate certificate() {
            return chain.get(0);
        }

        /**
         * @param password of the store and of the key entry (the same, as most servers expect)
         * @return an in-memory PKCS12 store holding the key and chain under {@link #ALIAS}
         */
        public KeyStore keyStore(char[] password) {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry(ALIAS, key, password, chain.toArray(Certificate[]::new));
                return ks;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot make a PKCS12 key store", e);
            }
        }

        /** @return key managers presenting this key and chain, for a server's own {@link SSLContext} */
        public KeyManagerFactory keyManagerFactory() {
            try {
                char[] password = "changeit".toCharArray();
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore(password), password);
                return kmf;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot make key managers", e);
            }
        }

        /** @return a server-side TLS context presenting this key and chain (no client certificates asked for) */
        public SSLContext sslContext() {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keyManagerFactory().getKeyManagers(), null, null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot make a server TLS context", e);
            }
        }

        /** @return {@code dir/<stem>-chain.pem}: the certificate then the CA's, PEM, replaced if it was there */
        public Path writeChainPem(Path dir) {
            return writeString(dir.resolve(stem + "-chain.pem"), pem(chain), false);
        }

        /**
         * @return {@code dir/<stem>-key.pem}: the private key as unencrypted PKCS#8 PEM ({@code PRIVATE KEY}),
         *     readable by its owner only (rw-------) from the moment it exists; replaced if it was there
         */
        public Path writeKeyPem(Path dir) {
            StringWriter text = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(text)) {
                w.writeObject(new JcaPKCS8Generator(key, null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return writeString(dir.resolve(stem + "-key.pem"), text.toString(), true);
        }

        /**
         * @return {@code dir/<stem>.p12}: {@link #keyStore} as a file, owner-only (rw-------), replaced if it was
         *     there
         */
        public Path writePkcs12(Path dir, char[] password) {
            Path file = dir.resolve(stem + ".p12");
            try {
                Files.deleteIfExists(file);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (var out = Files.newOutputStream(file)) {
                    keyStore(password).store(out, password);
                }
                return file;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot write a PKCS12 key store", e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return "Issued[" + certificate().getSubjectX500Principal() + ", until " + certificate().getNotAfter() + "]";
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with " + SIGNATURE, e);
        }
    }

    private static String pem(List<X509Certificate> certificates) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            for (X509Certificate c : certificates) {
                w.writeObject(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static Path writeString(Path file, String text, boolean ownerOnly) {
        try {
            Files.deleteIfExists(file);
            if (ownerOnly) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
