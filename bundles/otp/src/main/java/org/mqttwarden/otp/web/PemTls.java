package org.mqttwarden.otp.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The recovery listener's TLS from two PEM files, with the JDK alone: a certificate chain (the server's first)
 * and its unencrypted PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}, RSA, EC or EdDSA). The key file
 * must be readable by its owner only, and the key must be the certificate's: both checked before anything
 * listens, each failure one sentence naming the key and the file.
 */
final class PemTls {

    private static final Pattern KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Set<PosixFilePermission> OPEN = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ);

    private PemTls() {
    }

    /**
     * @throws IllegalArgumentException with one sentence naming the configuration key at fault
     */
    static SSLContext context(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = chain(certificateFile);
        PrivateKey key = key(keyFile, chain.get(0));
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] none = new char[0];
            store.setKeyEntry("recovery", key, none, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("http.tls.certificate and http.tls.key cannot make a TLS context: "
                    + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> chain(Path file) {
        byte[] pem = read(file, "http.tls.certificate");
        try {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem));
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : all) {
                chain.add((X509Certificate) c);
            }
            if (chain.isEmpty()) {
                throw new CertificateException("no certificate found");
            }
            return chain;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("http.tls.certificate: " + file + " holds no PEM certificate chain ("
                    + e.getMessage() + ")");
        }
    }

    private static PrivateKey key(Path file, X509Certificate certificate) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view != null) {
            try {
                if (view.readAttributes().permissions().stream().anyMatch(OPEN::contains)) {
                    throw new IllegalArgumentException("http.tls.key: " + file + " may be read by its group or"
                            + " others; make it readable by its owner only (chmod 600) and restart the listener");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("http.tls.key: cannot read " + file + " (" + e.getMessage()
                        + ")");
            }
        }
        String text = new String(read(file, "http.tls.key"), StandardCharsets.US_ASCII);
        Matcher m = KEY.matcher(text);
        if (!m.find()) {
            String hint = text.contains("ENCRYPTED PRIVATE KEY") ? "it is encrypted"
                    : text.contains("RSA PRIVATE KEY") || text.contains("EC PRIVATE KEY") ? "it is not PKCS#8"
                    : "no PRIVATE KEY block";
            throw new IllegalArgumentException("http.tls.key: " + file + " must hold an unencrypted PKCS#8 PEM key ("
                    + hint + "; 'openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem' converts one)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("http.tls.key: " + file + " holds a PRIVATE KEY block that is not"
                    + " Base64");
        }
        String algorithm = certificate.getPublicKey().getAlgorithm();
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("http.tls.key: " + file + " holds no " + algorithm + " key for the"
                    + " certificate's " + algorithm + " public key");
        }
        if (!matches(key, certificate)) {
            throw new IllegalArgumentException("http.tls.key: " + file + " is not the key of the certificate in"
                    + " http.tls.certificate (" + certificate.getSubjectX500Principal().getName() + ")");
        }
        return key;
    }

    /** @return whether a signature made with {@code key} verifies with the certificate's public key */
    private static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] probe = "warden-otp recovery listener".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(certificate.getPublicKey());
            verify.update(probe);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] read(Path file, String configKey) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(configKey + ": cannot read " + file + " (" + e.getClass()
                    .getSimpleName() + ": " + e.getMessage() + ")");
        }
    }
}
