package org.mqttwarden.http;

/**
 * Who may call the go-auth listener: keys of the same PID as {@link HttpConfig}
 * ({@code org.mqttwarden.http}), read by the same activation. Both checks are off by default, until
 * the broker setup turns them on; both apply when both are on. {@code GET /health} is answered to
 * every caller.
 *
 * <p>Kept apart from {@link HttpConfig} so that code constructing the server with an
 * {@code HttpConfig} of its own (other bundles' tests) keeps compiling when a key is added here;
 * these keys are therefore not in the PID's metatype, and are documented in the feature's default
 * configuration and the README.
 */
public @interface CallerConfig {

    /**
     * {@code auth.key.required}: refuse (403) every request but {@code /health} that does not carry
     * the caller key in the header {@link #auth_header_name()}. go-auth's maintained fork
     * (lhns/mosquitto-go-auth 3.x) sends it with the line
     * {@code auth_opt_http_header_<auth.header.name> <key>}.
     */
    boolean auth_key_required() default false;

    /** {@code auth.header.name}: the header carrying the caller key (letters, digits and '-'). */
    String auth_header_name() default "X-Warden-Key";

    /**
     * {@code auth.key.file}: the file holding the caller key on its first line; empty:
     * {@code ${karaf.etc}/warden-http.key}. When the key is required and the file is missing, it is
     * created with a random key (32 bytes, base64url), mode 0600; a file its group or others may
     * read is refused and the listener does not start.
     */
    String auth_key_file() default "";

    /**
     * {@code allowed.os.users}: serve only connections opened by these OS users (names or uids,
     * comma separated; empty: any), for a go-auth that cannot send a header. The caller must be on
     * loopback, on Linux: its socket's owner is looked up in {@code /proc/net/tcp} once per
     * connection; a caller that cannot be looked up is refused (403).
     */
    String allowed_os_users() default "";
}
