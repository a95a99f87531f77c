package org.mqttwarden.broker.setup;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.mqttwarden.api.http.GoAuthBackend;

/**
 * What go-auth must match in warden-http's configuration (PID {@code org.mqttwarden.http}): where it listens, its
 * paths and response mode, and the caller key's header and file. Read from the PID's properties by name, with
 * warden-http's own defaults (HttpConfig and CallerConfig in bundles/http) for what is absent, so a gateway that
 * never touched the PID gets the go-auth lines of its defaults.
 *
 * @param host what warden-http listens on ({@code host})
 * @param port its port ({@code port})
 * @param pathUser {@code path.user}
 * @param pathSuperuser {@code path.superuser}
 * @param pathAcl {@code path.acl}
 * @param responseMode {@code response.mode}: status, json or text
 * @param headerName {@code auth.header.name}, the header go-auth's fork sends the caller key in
 * @param keyFile {@code auth.key.file}, or {@code ${karaf.etc}/warden-http.key}
 * @param keyRequired {@code auth.key.required}: whether warden-http refuses callers without the key now
 */
public record WardenHttp(String host, int port, String pathUser, String pathSuperuser, String pathAcl,
        String responseMode, String headerName, Path keyFile, boolean keyRequired) {

    /** The PID whose properties these are. */
    public static final String PID = GoAuthBackend.PID;

    /** warden-http's rule for auth.header.name (GoAuthServer): a header Go's client sends as written. */
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~/-]{0,200}");
    private static final Set<String> MODES = Set.of("status", "json", "text");

    /**
     * @param properties the PID's properties (Configuration Admin's, or DS's merged ones); absent keys take
     *     warden-http's defaults
     * @return the settings
     * @throws IllegalArgumentException naming the property when a value is one warden-http itself would refuse
     *     or one go-auth could not be given (a port of 0, a path with spaces)
     */
    public static WardenHttp from(Map<String, ?> properties) {
        String host = text(properties, GoAuthBackend.HOST, GoAuthBackend.DEFAULT_HOST);
        int port;
        try {
            port = Integer.parseInt(text(properties, GoAuthBackend.PORT, Integer.toString(GoAuthBackend.DEFAULT_PORT)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port of " + PID + " is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port of " + PID + " is " + port + ": go-auth needs the fixed port"
                    + " warden-http listens on (1 to 65535)");
        }
        String mode = text(properties, GoAuthBackend.RESPONSE_MODE, GoAuthBackend.DEFAULT_RESPONSE_MODE)
                .toLowerCase(Locale.ROOT);
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("response.mode of " + PID + " must be status, json or text");
        }
        String header = text(properties, GoAuthBackend.AUTH_HEADER_NAME, GoAuthBackend.DEFAULT_AUTH_HEADER_NAME);
        if (!HEADER_NAME.matcher(header).matches()) {
            throw new IllegalArgumentException("auth.header.name of " + PID + " must be an HTTP header name"
                    + " (letters, digits, '-')");
        }
        String file = text(properties, GoAuthBackend.AUTH_KEY_FILE, "");
        Path keyFile = file.isEmpty() ? Path.of(System.getProperty("karaf.etc", "etc"), "warden-http.key")
                : Path.of(file);
        return new WardenHttp(host, port, path(properties, GoAuthBackend.PATH_USER, GoAuthBackend.DEFAULT_PATH_USER),
                path(properties, GoAuthBackend.PATH_SUPERUSER,
                GoAuthBackend.DEFAULT_PATH_SUPERUSER),
                path(properties, GoAuthBackend.PATH_ACL, GoAuthBackend.DEFAULT_PATH_ACL), mode,
                header, keyFile.toAbsolutePath().normalize(),
                Boolean.parseBoolean(text(properties, GoAuthBackend.AUTH_KEY_REQUIRED, "false")));
    }

    /**
     * @return the address go-auth is to call: 127.0.0.1 when warden-http listens there or on every address
     * @throws IllegalArgumentException when warden-http does not listen on IPv4 loopback: go-auth would have to
     *     send every password across the network in clear (or could not reach it)
     */
    public String goAuthHost() {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.equals("127.0.0.1") || h.equals("localhost") || h.equals("0.0.0.0") || h.equals("::")
                || h.equals("[::]") || h.isEmpty()) {
            return "127.0.0.1";
        }
        throw new IllegalArgumentException("warden-http listens on " + host + ", not on 127.0.0.1: set host ="
                + " 127.0.0.1 in " + PID + " (go-auth sends passwords to it in clear, so it must stay on loopback)");
    }

    private static String path(Map<String, ?> properties, String key, String fallback) {
        String p = text(properties, key, fallback);
        if (!PATH.matcher(p).matches()) {
            throw new IllegalArgumentException(key + " of " + PID + " must be a plain path starting with '/'");
        }
        return p;
    }

    private static String text(Map<String, ?> properties, String key, String fallback) {
        Object v = properties.get(key);
        if (v == null) {
            return fallback;
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? fallback : s;
    }
}
