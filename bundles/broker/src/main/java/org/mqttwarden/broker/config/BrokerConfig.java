package org.mqttwarden.broker.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of warden-broker, PID {@code org.mqttwarden.broker}: where broker-init writes the broker's files,
 * the Mosquitto and go-auth binaries, the managed broker ({@code managed}, {@code restart.*}) and the log watcher
 * ({@code watch.*}). One definition for the one PID, read by every component of the bundle; see {@link BrokerPaths}
 * for the defaults that depend on the gateway's folder.
 */
@ObjectClassDefinition(name = "Warden broker", description = "Secure-by-default Mosquitto: generated setup, the"
        + " managed broker and its log as a sensor")
public @interface BrokerConfig {

    @AttributeDefinition(name = "Broker folder", description = "Where warden:broker-init writes mosquitto.conf,"
            + " conf.d/go-auth.conf, certs/ and clients/, and where the managed broker keeps its log and data;"
            + " empty: ${karaf.home}/broker")
    String broker_dir() default "";

    @AttributeDefinition(name = "Mosquitto", description = "The mosquitto binary; empty: /usr/sbin/mosquitto,"
            + " /usr/bin/mosquitto or the first on PATH")
    String mosquitto_binary() default "";

    @AttributeDefinition(name = "go-auth plugin", description = "The go-auth shared object the generated"
            + " configuration loads (auth_plugin)")
    String goauth_plugin() default "/usr/local/lib/mosquitto-go-auth/go-auth.so";

    @AttributeDefinition(name = "Managed", description = "Whether the gateway starts the broker with the generated"
            + " configuration when it starts, restarts it when it dies, and stops it when the gateway stops"
            + " (warden:broker-start does the same on demand)")
    boolean managed() default false;

    @AttributeDefinition(name = "Longest restart delay", description = "Seconds at most between restarts of a"
            + " managed broker that keeps dying (the delay doubles from 1 s)", min = "1", max = "3600")
    int restart_backoff_max_seconds() default 60;

    @AttributeDefinition(name = "Watch the log", description = "Whether the gateway reads the broker's log: client"
            + " addresses for audit rows, alerts and per-address throttling, and events for what only the log shows")
    boolean watch_enabled() default true;

    @AttributeDefinition(name = "Log file", description = "The broker's log file to watch; empty:"
            + " <broker.dir>/log/mosquitto.log (the generated configuration's). Waited for while missing; followed"
            + " across rotation")
    String watch_log() default "";

    @AttributeDefinition(name = "Connection flood", description = "New connections from one address within"
            + " watch.flood.window.seconds that raise a broker.connection-flood event; 0: off", min = "0")
    int watch_flood_connections() default 30;

    @AttributeDefinition(name = "Connection flood window", description = "Seconds", min = "1")
    int watch_flood_window_seconds() default 10;

    @AttributeDefinition(name = "Protocol errors", description = "Protocol errors (malformed packets, bad CONNECTs)"
            + " from one address within watch.flood.window.seconds that raise a broker.protocol-errors event; 0: off",
            min = "0")
    int watch_protocol_errors() default 10;
}
