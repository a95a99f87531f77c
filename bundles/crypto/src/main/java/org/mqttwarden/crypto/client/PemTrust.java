package org.mqttwarden.crypto.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS that trusts only the certificates of one PEM file (a private CA), not the JDK's public CAs: a gateway's broker
 * certificate comes from its own CA, and trusting every public CA as well would let any of them vouch for a forged
 * broker.
 */
final class PemTrust {

    private PemTrust() {
    }

    /**
     * @return a socket factory whose connections trust only the certificates in {@code caPem}
     * @throws IOException if the file cannot be read or holds no certificate (the message names the file)
     */
    static SSLSocketFactory socketFactory(Path caPem) throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(caPem)) {
                certs = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certs.isEmpty()) {
                throw new IOException("The CA file " + caPem + " holds no PEM certificate.");
            }
            int i = 0;
            for (Certificate c : certs) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (java.security.cert.CertificateException e) {
            throw new IOException("The CA file " + caPem + " is not a PEM certificate file.", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot set up TLS trusting " + caPem + ": " + e.getMessage(), e);
        }
    }
}
