package org.mqttwarden.http;

import java.util.Locale;

/**
 * go-auth's {@code http_response_mode}: how allow, deny and error are put on the wire. In every mode
 * a 5xx means "error" to go-auth (the client's connection is dropped), so 5xx is kept for real
 * faults. A denial says nothing about why.
 */
enum ResponseMode {
    /** 200 allows, 403 denies; empty bodies. */
    STATUS,
    /** 200 with {@code {"ok":true,"error":""}} allows, 403 with {@code "ok":false} denies. */
    JSON,
    /** 200 with body exactly {@code ok} allows, 403 with {@code denied} denies. */
    TEXT;

    static ResponseMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("response.mode must be status, json or text, not '" + value + "'");
        }
    }

    /**
     * A denial is 403 in every mode, not only in {@link #STATUS}: go-auth treats any 4xx as a deny
     * whatever its own response mode, so a go-auth left in {@code status} mode while Warden answers
     * {@code json} or {@code text} still denies instead of reading a 200 as an allow.
     */
    int status(Verdict verdict) {
        return switch (verdict) {
            case ALLOW -> 200;
            case DENY -> 403;
            case ERROR -> 503;
        };
    }

    String contentType() {
        return this == JSON ? "application/json" : "text/plain; charset=utf-8";
    }

    String body(Verdict verdict) {
        return switch (this) {
            case STATUS -> "";
            case TEXT -> switch (verdict) {
                case ALLOW -> "ok";
                case DENY -> "denied";
                case ERROR -> "unavailable";
            };
            case JSON -> switch (verdict) {
                case ALLOW -> "{\"ok\":true,\"error\":\"\"}";
                case DENY -> "{\"ok\":false,\"error\":\"denied\"}";
                case ERROR -> "{\"ok\":false,\"error\":\"unavailable\"}";
            };
        };
    }

    enum Verdict {
        ALLOW,
        DENY,
        ERROR
    }
}
