package org.mqttwarden.crypto.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
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
     * @param caPem the only CA certificates trusted, or null for the JDK's default trust
     * @param clientPkcs12 a PKCS#12 key store with the client's key and chain to present, or null for none
     * @param password the PKCS#12 file's password (also its key's)
     * @return a socket factory for these connections
     * @throws IOException if a file cannot be read or used (the message names the file, never the password)
     */
    static SSLSocketFactory socketFactory(Path caPem, Path clientPkcs12, char[] password) throws IOException {
        try {
            KeyManager[] keyManagers = null;
            if (clientPkcs12 != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(clientPkcs12)) {
                    ks.load(in, password);
                } catch (IOException e) {
                    throw new IOException("The client certificate file " + clientPkcs12 + " cannot be read: wrong"
                            + " password, or not a PKCS#12 file.", e);
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
                keyManagers = kmf.getKeyManagers();
            }
            if (caPem == null) {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(keyManagers, null, null);
                return ctx.getSocketFactory();
            }
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
            ctx.init(keyManagers, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (java.security.cert.CertificateException e) {
            throw new IOException("The CA file " + caPem + " is not a PEM certificate file.", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot set up TLS trusting " + caPem + ": " + e.getMessage(), e);
        }
    }
}
