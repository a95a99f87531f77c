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

    @AttributeDefinition(description = "Threads running decisions (bcrypt, store look-ups).", min = "1", max = "64")
    int worker_threads() default 8;

    @AttributeDefinition(description = "Requests that may wait for a worker before the answer is 503.", min = "1",
            max = "100000")
    int queue_size() default 1024;
}
