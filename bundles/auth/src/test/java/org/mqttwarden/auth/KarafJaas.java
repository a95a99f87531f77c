package org.mqttwarden.auth;

import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;

import org.apache.felix.framework.Felix;
import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngineFactory;
import org.apache.karaf.jaas.modules.EncryptionService;
import org.apache.karaf.jaas.modules.encryption.BasicEncryptionService;
import org.apache.karaf.jaas.modules.properties.PropertiesBackingEngineFactory;
import org.apache.karaf.jaas.modules.publickey.PublickeyBackingEngineFactory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

/**
 * Karaf's JAAS pieces as Karaf 4.4 wires them for its realm {@code karaf}, for the first start's tests: its
 * real backing engine factories and its {@code basic} encryption service, registered in a real (embedded
 * Felix) service registry where Karaf's encryption support looks it up; the realm's entries name the login
 * modules and options the way Karaf's own realm does, with the encryption settings of the gateway's
 * {@code etc/org.apache.karaf.jaas.cfg} unless told otherwise.
 */
final class KarafJaas implements AutoCloseable {

    private final Felix framework;

    KarafJaas(Path storage) throws BundleException {
        framework = new Felix(Map.of(Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.init();
        framework.start();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("name", "basic");
        framework.getBundleContext().registerService(EncryptionService.class, new BasicEncryptionService(), props);
    }

    /** @return the realm {@code karaf} on {@code etc}'s users and keys files, passwords as SHA-512 hex */
    JaasRealm realm(Path etc) {
        return realm(etc, "SHA-512");
    }

    /** @return the realm {@code karaf} on {@code etc}'s files, passwords digested by {@code algorithm} */
    JaasRealm realm(Path etc, String algorithm) {
        BundleContext context = framework.getBundleContext();
        Map<String, Object> passwords = Map.of(BundleContext.class.getName(), context,
                ProxyLoginModule.PROPERTY_MODULE, KarafShellUsers.PASSWORD_MODULE,
                "users", etc.resolve("users.properties").toString(), "encryption.enabled", "true",
                "encryption.name", "basic", "encryption.prefix", "{CRYPT}", "encryption.suffix", "{CRYPT}",
                "encryption.algorithm", algorithm, "encryption.encoding", "hexadecimal");
        Map<String, Object> keys = Map.of(BundleContext.class.getName(), context,
                ProxyLoginModule.PROPERTY_MODULE, KarafShellUsers.KEY_MODULE,
                "users", etc.resolve("keys.properties").toString());
        AppConfigurationEntry[] entries = {
            new AppConfigurationEntry(ProxyLoginModule.class.getName(), LoginModuleControlFlag.OPTIONAL, passwords),
            new AppConfigurationEntry(ProxyLoginModule.class.getName(), LoginModuleControlFlag.OPTIONAL, keys)};
        return new JaasRealm() {
            @Override
            public String getName() {
                return KarafShellUsers.REALM;
            }

            @Override
            public int getRank() {
                return 0;
            }

            @Override
            public AppConfigurationEntry[] getEntries() {
                return entries.clone();
            }
        };
    }

    /** @return Karaf's backing engine factories for password and public key logins */
    List<BackingEngineFactory> factories() {
        return List.of(new PropertiesBackingEngineFactory(), new PublickeyBackingEngineFactory());
    }

    /** @return where the first start finds Karaf's shell users in {@code etc} */
    FirstStart.ShellUsers shellUsers(Path etc) {
        return wait -> KarafShellUsers.of(List.of(realm(etc)), factories());
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }
}
