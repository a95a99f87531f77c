package org.mqttwarden.http;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Configuration of PID {@code org.mqttwarden.http} ({@code etc/org.mqttwarden.http.cfg}). A change
 * restarts the listener within seconds; the rest of the gateway keeps running.
 */
@ObjectClassDefinition(name = "MQTT Warden go-auth HTTP backend", description = "The HTTP endpoints Mosquitto's"
        + " go-auth plugin calls.")
public @interface HttpConfig {

    @AttributeDefinition(description = "Address to listen on. Keep loopback unless the broker runs elsewhere.")
    String host() default "127.0.0.1";

    @AttributeDefinition(description = "Port to listen on (0 = any free port).", min = "0", max = "65535")
    int port() default 9180;

    @AttributeDefinition(description = "How answers are encoded, as go-auth's auth_opt_http_response_mode.",
            options = {@Option(value = "status", label = "status: 2xx allow, 4xx deny"),
                @Option(value = "json", label = "json: {\"ok\":true,\"error\":\"\"}"),
                @Option(value = "text", label = "text: body 'ok' allows")})
    String response_mode() default "status";

    @AttributeDefinition(description = "Path of the login check (go-auth auth_opt_http_getuser_uri).")
    String path_user() default "/user";

    @AttributeDefinition(description = "Path of the superuser check (auth_opt_http_superuser_uri).")
    String path_superuser() default "/superuser";

    @AttributeDefinition(description = "Path of the ACL check (auth_opt_http_aclcheck_uri).")
    String path_acl() default "/acl";

    @AttributeDefinition(description = "Threads of the slow lane: logins that need a password hash (bcrypt).",
            min = "1", max = "64")
    int worker_threads() default 8;

    @AttributeDefinition(description = "Threads of the fast lane: ACL and superuser checks and logins answered"
            + " without a password hash (remembered). They never wait behind the slow lane.", min = "1", max = "64")
    int fast_threads() default 4;

    @AttributeDefinition(description = "Requests that may wait for a thread, in each lane, before the answer is"
            + " 503.", min = "1", max = "100000")
    int queue_size() default 1024;

    @AttributeDefinition(description = "Milliseconds a client has from the first byte of a request to the end of"
            + " its headers; then the connection is closed.", min = "100", max = "60000")
    int parse_timeout_ms() default 2000;

    @AttributeDefinition(description = "Milliseconds a client has from the end of the headers to the end of the"
            + " body; then the connection is closed. go-auth sends a whole request at once.", min = "100",
            max = "60000")
    int body_timeout_ms() default 2000;

    @AttributeDefinition(description = "Milliseconds a kept-alive connection may sit idle between requests before"
            + " it is closed. go-auth reuses its connections; an idle one holds no thread, only a socket.",
            min = "1000", max = "3600000")
    int idle_timeout_ms() default 60000;

    @AttributeDefinition(description = "Connections open at once at most; one more is closed as soon as it is"
            + " accepted (WARN at most once a minute, warden_http_connections_refused_total).", min = "16",
            max = "1000000")
    int max_connections() default 2048;

    @AttributeDefinition(description = "Milliseconds after which a decision still running, or work held by a lane"
            + " that finishes nothing, makes /health answer 503 (decisions stalled).", min = "500",
            max = "600000")
    int stall_timeout_ms() default 5000;
}
