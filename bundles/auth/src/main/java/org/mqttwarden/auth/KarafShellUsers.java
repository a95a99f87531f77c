package org.mqttwarden.auth;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import javax.security.auth.login.AppConfigurationEntry;

import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngine;
import org.apache.karaf.jaas.modules.BackingEngineFactory;

/**
 * Karaf's shell users and their SSH keys as Karaf's JAAS realm {@code karaf} keeps them, changed through the
 * realm's own {@link BackingEngine}s: the password one (its login module {@value #PASSWORD_MODULE}) applies
 * the encryption {@code etc/org.apache.karaf.jaas.cfg} configures, the public key one
 * ({@value #KEY_MODULE}) writes {@code etc/keys.properties}. Nothing here knows those files' format.
 */
final class KarafShellUsers {

    static final String REALM = "karaf";
    static final String PASSWORD_MODULE = "org.apache.karaf.jaas.modules.properties.PropertiesLoginModule";
    static final String KEY_MODULE = "org.apache.karaf.jaas.modules.publickey.PublickeyLoginModule";
    /** The group of Karaf's own administrators ({@code _g_:admingroup} in its files). */
    static final String ADMIN_GROUP = "admingroup";

    private final BackingEngine passwords;
    private final Supplier<BackingEngine> rereadPasswords;
    private final Path passwordFile;
    private final BackingEngine keys;
    private final Supplier<BackingEngine> rereadKeys;
    private final Path keyFile;

    /**
     * @param rereadPasswords a new engine on what the password engine stored (Karaf's engines log a failed
     *     save and carry on: what they stored is read back before a secret is shown)
     * @param keys the public key engine, or null when the realm has no public key login
     * @param passwordFile the file the password engine keeps, or null when not a file
     * @param keyFile the file the key engine keeps, or null
     */
    private KarafShellUsers(BackingEngine passwords, Supplier<BackingEngine> rereadPasswords, Path passwordFile,
            BackingEngine keys, Supplier<BackingEngine> rereadKeys, Path keyFile) {
        this.passwords = passwords;
        this.rereadPasswords = rereadPasswords;
        this.passwordFile = passwordFile;
        this.keys = keys;
        this.rereadKeys = rereadKeys;
        this.keyFile = keyFile;
    }

    /**
     * @return the shell users of the realm {@value #REALM} of highest rank among {@code realms}, with the
     *     engines the factories build for its password and public key logins; empty while the realm or the
     *     password engine's factory is not there (yet)
     */
    static Optional<KarafShellUsers> of(Collection<JaasRealm> realms, Collection<BackingEngineFactory> factories) {
        JaasRealm realm = null;
        for (JaasRealm r : realms) {
            if (REALM.equals(r.getName()) && (realm == null || r.getRank() > realm.getRank())) {
                realm = r;
            }
        }
        if (realm == null) {
            return Optional.empty();
        }
        AppConfigurationEntry passwordEntry = entry(realm, PASSWORD_MODULE);
        BackingEngineFactory passwordFactory = factory(factories, PASSWORD_MODULE);
        if (passwordEntry == null || passwordFactory == null) {
            return Optional.empty();
        }
        BackingEngine passwords = passwordFactory.build(passwordEntry.getOptions());
        if (passwords == null) {
            throw new IllegalStateException("Karaf's JAAS realm could not open its users file "
                    + passwordEntry.getOptions().get("users"));
        }
        AppConfigurationEntry keyEntry = entry(realm, KEY_MODULE);
        BackingEngineFactory keyFactory = factory(factories, KEY_MODULE);
        BackingEngine keys = keyEntry == null || keyFactory == null ? null : keyFactory.build(keyEntry.getOptions());
        return Optional.of(new KarafShellUsers(passwords, () -> passwordFactory.build(passwordEntry.getOptions()),
                file(passwordEntry), keys, keys == null ? null : () -> keyFactory.build(keyEntry.getOptions()),
                keys == null ? null : file(keyEntry)));
    }

    /** @return the realm's entry for this login module (Karaf names it in the proxy's options), or null */
    private static AppConfigurationEntry entry(JaasRealm realm, String module) {
        for (AppConfigurationEntry e : realm.getEntries()) {
            Object proxied = e.getOptions().get(ProxyLoginModule.PROPERTY_MODULE);
            if (module.equals(proxied) || module.equals(e.getLoginModuleName())) {
                return e;
            }
        }
        return null;
    }

    private static BackingEngineFactory factory(Collection<BackingEngineFactory> factories, String module) {
        for (BackingEngineFactory f : factories) {
            if (module.equals(f.getModuleClass())) {
                return f;
            }
        }
        return null;
    }

    private static Path file(AppConfigurationEntry entry) {
        Map<String, ?> options = entry.getOptions();
        Object users = options.get("users");
        return users instanceof String s ? Paths.get(s) : null;
    }

    /** @return whether the realm holds any user that can log in with a password (groups are no users) */
    boolean hasUser() {
        for (UserPrincipal u : passwords.listUsers()) {
            if (!u.getName().startsWith(BackingEngine.GROUP_PREFIX)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds a shell administrator: the password as the realm's encryption stores it, in {@value #ADMIN_GROUP}.
     *
     * @throws IllegalStateException when the realm did not store it
     */
    void addAdmin(String username, String password) {
        passwords.addUser(username, password);
        passwords.addGroup(username, ADMIN_GROUP);
        requireStored(rereadPasswords, username, passwordFile);
    }

    /** @return whether SSH keys can be added (the realm has a public key login) */
    boolean holdsKeys() {
        return keys != null;
    }

    /**
     * Lets a shell administrator log in with this key.
     *
     * @param publicKey the key in OpenSSH's encoding, base64 (the middle part of an {@code ssh-rsa} line)
     * @throws IllegalStateException when the realm did not store it
     */
    void addAdminKey(String username, String publicKey) {
        keys.addUser(username, publicKey);
        keys.addGroup(username, ADMIN_GROUP);
        requireStored(rereadKeys, username, keyFile);
    }

    private static void requireStored(Supplier<BackingEngine> reread, String username, Path file) {
        BackingEngine stored = reread.get();
        if (stored == null || stored.lookupUser(username) == null) {
            throw new IllegalStateException("Karaf's JAAS realm did not store " + username + " in " + file
                    + " (Karaf's log says why)");
        }
    }

    /** @return the files the engines keep, when they are files: Karaf's password and key files */
    Path[] files() {
        return java.util.stream.Stream.of(passwordFile, keyFile).filter(java.util.Objects::nonNull)
                .toArray(Path[]::new);
    }
}
