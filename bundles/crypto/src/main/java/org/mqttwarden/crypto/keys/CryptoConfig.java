package org.mqttwarden.crypto.keys;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of warden-crypto on the gateway, PID {@code org.mqttwarden.crypto}: the envelope keys
 * ({@code key.*}, read by {@link GatewayKeyStore}) and the message verifier ({@code verify.*}, read by
 * {@code org.mqttwarden.crypto.verifier.MessageVerifier}). One definition for the one PID, so that the
 * metatype shows both. Applied live.
 */
@ObjectClassDefinition(name = "Warden payload encryption",
        description = "The gateway's envelope keys, and the verifier that judges protected messages on the broker")
public @interface CryptoConfig {

    @AttributeDefinition(name = "Grace period", description = "Days a key replaced by warden:key-rotate still opens"
            + " messages (devices not yet given the new key keep working), 0 to 3650; afterwards its envelopes are"
            + " UNKNOWN_KEY and its material is erased at the next start or key change. Counted from each key's"
            + " rotation, also for keys rotated before a change; an erased key stays retired")
    int key_grace_days() default 7;

    @AttributeDefinition(name = "Protected prefixes", description = "Topic prefixes whose messages the gateway"
            + " judges (each subscribed as <prefix>/#, as its own MQTT account): every message that is not an"
            + " authentic, fresh envelope under one of the gateway's keys becomes a MESSAGE event in the audit log"
            + " (message.tampered, replayed, stale, unknown-key, malformed) and counts towards warden-alerts'"
            + " alert.message-burst. Empty (the default): the verifier is off and connects nowhere")
    String[] verify_prefixes() default {};

    @AttributeDefinition(name = "Broker", description = "The broker the verifier subscribes to (tcp:// or ssl://)")
    String verify_url() default "tcp://127.0.0.1:1883";

    @AttributeDefinition(name = "Username", description = "The verifier's MQTT account (created with role"
            + " warden-verifier, allowed to read <prefix>/# of each protected prefix, when verify.provision is on)")
    String verify_username() default "warden-verifier";

    @AttributeDefinition(name = "Client id", description = "The verifier's MQTT client id")
    String verify_client_id() default "warden-verifier";

    @AttributeDefinition(name = "Credentials file", description = "The verifier account's credentials (username,"
            + " password; owner-only, generated when provisioning); empty: ${karaf.etc}/warden-verifier.credentials")
    String verify_credentials_file() default "";

    @AttributeDefinition(name = "CA file", description = "For ssl:// URLs: PEM file of the CA to trust; empty: the"
            + " JVM's")
    String verify_ca_file() default "";

    @AttributeDefinition(name = "Provision", description = "Whether to create the verifier's account, role and read"
            + " rules when the broker authenticates through this Warden; off for an external broker with accounts of"
            + " its own (then write the credentials file by hand)")
    boolean verify_provision() default true;

    @AttributeDefinition(name = "QoS", description = "QoS of the verifier's subscriptions (0, 1 or 2). 0 (the"
            + " default): the verifier judges what reaches it and the broker never redelivers to it; with 1 or 2 the"
            + " broker keeps messages for it across a reconnect and redelivers the unacknowledged ones, which are"
            + " then recorded as message.replayed (Paho MQTT v5 does not tell a redelivery from a copy)", min = "0",
            max = "2")
    int verify_qos() default 0;
}
