package org.mqttwarden.broker.setup;

import java.nio.file.Path;

/**
 * The files broker-init writes under one folder: the same names as {@link org.mqttwarden.broker.config.BrokerPaths}
 * (a test keeps the two in step), for a folder given on the command line ({@code --dir}) as well as the configured
 * one.
 *
 * @param dir the broker's folder, absolute
 */
public record Layout(Path dir) {

    public Layout {
        dir = dir.toAbsolutePath().normalize();
    }

    public Path mosquittoConf() {
        return dir.resolve("mosquitto.conf");
    }

    public Path confD() {
        return dir.resolve("conf.d");
    }

    public Path goAuthConf() {
        return confD().resolve("go-auth.conf");
    }

    public Path certs() {
        return dir.resolve("certs");
    }

    public Path caCert() {
        return certs().resolve("ca.crt");
    }

    public Path caKey() {
        return certs().resolve("ca.key");
    }

    public Path serverCert() {
        return certs().resolve("server.crt");
    }

    public Path serverKey() {
        return certs().resolve("server.key");
    }

    public Path clients() {
        return dir.resolve("clients");
    }

    public Path clientCert(String name) {
        return clients().resolve(name + ".crt");
    }

    public Path clientKey(String name) {
        return clients().resolve(name + ".key");
    }

    public Path clientP12(String name) {
        return clients().resolve(name + ".p12");
    }

    /** @return the file holding the PKCS#12 file's password, beside it */
    public Path clientP12Password(String name) {
        return clients().resolve(name + ".p12.password");
    }

    public Path apiKey() {
        return dir.resolve("goauth-api-key");
    }

    public Path log() {
        return dir.resolve("log").resolve("mosquitto.log");
    }

    public Path data() {
        return dir.resolve("data");
    }
}
