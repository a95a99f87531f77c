package org.mqttwarden.api.http;

/**
 * The properties of warden-http's configuration (PID {@value #PID}) that another bundle reads to talk to it as
 * go-auth does, with warden-http's defaults. warden-http's own configuration types carry the same names (a test of
 * warden-http holds them to these); a bundle reading them never spells a name of its own.
 */
public final class GoAuthBackend {

    /** The PID of warden-http's go-auth listener and caller check. */
    public static final String PID = "org.mqttwarden.http";
    /** The address the listener binds to; default {@value #DEFAULT_HOST}. */
    public static final String HOST = "host";
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Its TCP port; default {@value #DEFAULT_PORT}. */
    public static final String PORT = "port";
    public static final int DEFAULT_PORT = 9180;
    /** The login check's path; default {@value #DEFAULT_PATH_USER}. */
    public static final String PATH_USER = "path.user";
    public static final String DEFAULT_PATH_USER = "/user";
    /** The superuser check's path; default {@value #DEFAULT_PATH_SUPERUSER}. */
    public static final String PATH_SUPERUSER = "path.superuser";
    public static final String DEFAULT_PATH_SUPERUSER = "/superuser";
    /** The ACL check's path; default {@value #DEFAULT_PATH_ACL}. */
    public static final String PATH_ACL = "path.acl";
    public static final String DEFAULT_PATH_ACL = "/acl";
    /** go-auth's response mode of the answers: status, json or text; default {@value #DEFAULT_RESPONSE_MODE}. */
    public static final String RESPONSE_MODE = "response.mode";
    public static final String DEFAULT_RESPONSE_MODE = "status";
    /** The header a caller sends the caller key in; default {@value #DEFAULT_AUTH_HEADER_NAME}. */
    public static final String AUTH_HEADER_NAME = "auth.header.name";
    public static final String DEFAULT_AUTH_HEADER_NAME = "X-Warden-Key";
    /** The file holding the caller key (first line); empty: {@code ${karaf.etc}/warden-http.key}. */
    public static final String AUTH_KEY_FILE = "auth.key.file";
    /** Whether callers without the key are refused; default false. */
    public static final String AUTH_KEY_REQUIRED = "auth.key.required";

    private GoAuthBackend() {
    }
}
