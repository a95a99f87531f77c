package org.mqttwarden.otp;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the one-time codes, PID {@code org.mqttwarden.otp}. Applied live; an invalid one is refused. */
@ObjectClassDefinition(name = "Warden one-time codes",
        description = "E-mailed codes for invitation, password reset and unlock: their length, lifetime and limits")
public @interface OtpConfig {

    @AttributeDefinition(name = "Code length", description = "Digits of a code, 6 to 10 (6 digits are ~20 bits)")
    int code_length() default 8;

    @AttributeDefinition(name = "Code lifetime", description = "Minutes a code is valid, 1 to 10")
    int code_ttl_minutes() default 10;

    @AttributeDefinition(name = "Tries per code", description = "Wrong tries a code survives, 1 to 10")
    int code_max_attempts() default 5;

    @AttributeDefinition(name = "Cooldown", description = "Seconds between two codes for one account and purpose,"
            + " 0 to 3600")
    int code_cooldown_seconds() default 60;

    @AttributeDefinition(name = "Codes per hour", description = "Codes per account and purpose in any hour, 1 to 20")
    int code_max_per_hour() default 5;

    @AttributeDefinition(name = "SMTP host", description = "The mail server codes are sent through; empty: no e-mail"
            + " (requests end with 'no channel reaches the account's address' in the audit log)")
    String mail_host() default "";

    @AttributeDefinition(name = "SMTP port", description = "587 for STARTTLS, 465 for SMTPS")
    int mail_port() default 587;

    @AttributeDefinition(name = "Transport security", description = "starttls (required: a server that does not"
            + " offer it gets no mail), smtps (TLS from the first byte), or none (only to a loopback address)")
    String mail_security() default "starttls";

    @AttributeDefinition(name = "SMTP user", description = "Empty: no SMTP authentication")
    String mail_username() default "";

    @AttributeDefinition(name = "SMTP password", type = AttributeType.PASSWORD, description = "Never logged")
    String mail_password() default "";

    @AttributeDefinition(name = "Sender", description = "The From address, e.g. warden@plant.example.org; empty: no"
            + " e-mail")
    String mail_from() default "";

    @AttributeDefinition(name = "Subject")
    String mail_subject() default "Your MQTT Warden code";

    @AttributeDefinition(name = "Message", description = "Plain text; {code}, {purpose}, {minutes} and {username}"
            + " are replaced")
    String mail_template() default "Your MQTT Warden code to {purpose} the account {username} is {code}.\n\n"
            + "It is valid for {minutes} minutes and can be used once. If you did not ask for it, ignore this"
            + " message.\n";

    @AttributeDefinition(name = "Tries per mail", description = "Attempts to hand a mail to the server, 1 to 5; a"
            + " failed one is tried again after 2, 4, ... seconds")
    int mail_attempts() default 3;

    @AttributeDefinition(name = "Server timeout", description = "Milliseconds to connect, and per read or write")
    int mail_timeout_ms() default 10_000;

    @AttributeDefinition(name = "Trusted mail CAs", description = "A PEM file of the CA certificates the mail"
            + " server's certificate must chain to (a private CA), an absolute path (e.g."
            + " ${karaf.etc}/mail-ca.pem), read when the configuration is applied; empty: the JVM's trust store."
            + " The server's name is always checked against its certificate")
    String mail_trust_file() default "";

    // ---- the recovery listener: its own port, never the go-auth one

    @AttributeDefinition(name = "Recovery address", description = "Where the recovery page and its JSON API"
            + " listen; beyond loopback only with TLS (http.tls.certificate and http.tls.key)")
    String http_host() default "127.0.0.1";

    @AttributeDefinition(name = "Recovery port", description = "0: no recovery listener")
    int http_port() default 9190;

    @AttributeDefinition(name = "Recovery TLS certificate", description = "PEM certificate chain of the recovery"
            + " listener; required when http.host is not a loopback address")
    String http_tls_certificate() default "";

    @AttributeDefinition(name = "Recovery TLS key", description = "PEM private key (PKCS#8) of the recovery"
            + " listener, a file only its owner may read")
    String http_tls_key() default "";

    @AttributeDefinition(name = "Requests per address", description = "Recovery requests and confirmations one"
            + " source address may make per minute; beyond, 429 with Retry-After")
    int http_rate_per_address() default 20;

    @AttributeDefinition(name = "Requests per username", description = "Recovery requests and confirmations for one"
            + " username per minute, from all addresses")
    int http_rate_per_username() default 5;
}
