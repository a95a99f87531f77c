package org.mqttwarden.broker.setup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The broker's certificates, with Bouncy Castle's X.509 builders over the JDK's EC keys.
 *
 * <p>Keys are ECDSA on P-256 (secp256r1) signed with SHA-256: the same strength as RSA 3072 (about 128 bits) with
 * keys generated in milliseconds instead of a second or more, smaller handshakes for constrained devices, and
 * support in every TLS 1.2 stack a device is likely to use (OpenSSL under Mosquitto, the JDK, mbedTLS, wolfSSL).
 * Lifetimes: the CA 10 years (it only signs, its key stays in the gateway's folder), the server 2 years, clients 1
 * year; every certificate starts an hour before it is made, so a device whose clock is a little behind accepts it.
 */
public final class Pki {

    public static final Duration CA_LIFETIME = Duration.ofDays(3653);
    public static final Duration SERVER_LIFETIME = Duration.ofDays(731);
    public static final Duration CLIENT_LIFETIME = Duration.ofDays(366);
    static final Duration BACKDATE = Duration.ofHours(1);
    private static final String SIGNATURE = "SHA256withECDSA";

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Pki(Clock clock) {
        this.clock = clock;
    }

    /** A certificate and its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {

        /** @return the certificate, PEM */
        public String certificatePem() {
            return pem(certificate);
        }

        /** @return the private key, unencrypted PKCS#8 PEM (Mosquitto cannot prompt for a passphrase) */
        public String keyPem() {
            try {
                return pem(new JcaPKCS8Generator(key, null).generate());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return "Issued[" + certificate.getSubjectX500Principal() + ", key ***]";
        }
    }

    /** @return a new self-signed CA named after {@code gateway} */
    public Issued ca(String gateway) {
        KeyPair pair = keyPair();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "MQTT Warden")
                .addRDN(BCStyle.CN, "MQTT Warden broker CA " + gateway).build();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_LIFETIME)), name, pair.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new Issued(sign(b, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot make the CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * @param hosts DNS names for the subject alternative names (the first is also the common name)
     * @param addresses IP address literals for the subject alternative names
     * @return a TLS server certificate signed by {@code ca} (serverAuth)
     */
    public Issued server(Issued ca, List<String> hosts, List<String> addresses) {
        List<GeneralName> names = new ArrayList<>();
        for (String h : hosts) {
            names.add(new GeneralName(GeneralName.dNSName, h));
        }
        for (String a : addresses) {
            names.add(new GeneralName(GeneralName.iPAddress, a));
        }
        String cn = hosts.isEmpty() ? addresses.get(0) : hosts.get(0);
        return leaf(ca, cn, SERVER_LIFETIME, KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(names.toArray(GeneralName[]::new)));
    }

    /** @return a TLS client certificate for {@code name} signed by {@code ca} (clientAuth) */
    public Issued client(Issued ca, String name) {
        return leaf(ca, name, CLIENT_LIFETIME, KeyPurposeId.id_kp_clientAuth, null);
    }

    private Issued leaf(Issued ca, String cn, Duration lifetime, KeyPurposeId purpose, GeneralNames san) {
        KeyPair pair = keyPair();
        Instant now = clock.instant();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "MQTT Warden")
                .addRDN(BCStyle.CN, cn).build();
        Instant notAfter = now.plus(lifetime);
        if (notAfter.isAfter(ca.certificate().getNotAfter().toInstant())) {
            notAfter = ca.certificate().getNotAfter().toInstant();
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, pair.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(ca.certificate()));
            if (san != null) {
                b.addExtension(Extension.subjectAlternativeName, false, san);
            }
            return new Issued(sign(b, ca.key()), pair.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot make the certificate for " + cn + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param password protects the file and its key (PBES2 with AES-256 and HMAC-SHA256, the JDK's default)
     * @return a PKCS#12 file holding the client's key and its chain (client, CA), under the alias {@code name}
     */
    public static byte[] pkcs12(String name, Issued client, X509Certificate ca, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(name, client.key(), password, new Certificate[] {client.certificate(), ca});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot write the PKCS#12 file for " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return the CA from its PEM files, as broker-init wrote them
     * @throws IllegalArgumentException when they do not hold a certificate and a private key that belong together
     */
    public static Issued readCa(String certificatePem, String keyPem) {
        try (PEMParser c = new PEMParser(new StringReader(certificatePem));
                PEMParser k = new PEMParser(new StringReader(keyPem))) {
            Object cert = c.readObject();
            Object key = k.readObject();
            if (!(cert instanceof X509CertificateHolder holder) || !(key instanceof PrivateKeyInfo info)) {
                throw new IllegalArgumentException("the CA files do not hold a PEM certificate and a PKCS#8 key");
            }
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
            PrivateKey privateKey = new JcaPEMKeyConverter().getPrivateKey(info);
            // the key must be the certificate's: sign and verify a probe
            java.security.Signature s = java.security.Signature.getInstance(SIGNATURE);
            s.initSign(privateKey);
            s.update(new byte[] {1});
            byte[] sig = s.sign();
            s.initVerify(certificate.getPublicKey());
            s.update(new byte[] {1});
            if (!s.verify(sig)) {
                throw new IllegalArgumentException("the CA key does not belong to the CA certificate");
            }
            return new Issued(certificate, privateKey);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the CA files cannot be read: " + e.getMessage(), e);
        }
    }

    /** @return whether {@code value} is an IP address literal (never a name: no DNS lookup happens) */
    public static boolean ipLiteral(String value) {
        if (value.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")) {
            return true;
        }
        if (!value.matches("[0-9A-Fa-f:.]+") || !value.contains(":")) {
            return false;
        }
        try {
            // a literal containing ':' is parsed, never looked up
            return InetAddress.getByName(value) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(key);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot make P-256 keys: " + e.getMessage(), e);
        }
    }

    /** @return a positive random serial of up to 127 bits (RFC 5280: at most 20 octets) */
    private BigInteger serial() {
        return new BigInteger(127, random).setBit(120);
    }

    private static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
