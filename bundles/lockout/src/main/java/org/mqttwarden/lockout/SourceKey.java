package org.mqttwarden.lockout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Where login attempts come from: an MQTT client id ({@code client:<id>}) or a network address
 * ({@code addr:<ip>}). A client id longer than {@value #MAX_LENGTH} characters is kept as
 * {@code client:sha256:<hex>}, so an attacker's huge ids cost no more memory than short ones.
 *
 * @param kind client id or address
 * @param value the id or address (or the digest of a long id)
 */
public record SourceKey(Kind kind, String value) {

    static final int MAX_LENGTH = 128;

    public enum Kind {
        CLIENT("client:"), ADDRESS("addr:");

        final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    public SourceKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    /** @return the key of a client id, digested when long */
    public static SourceKey client(String clientId) {
        if (clientId.length() <= MAX_LENGTH) {
            return new SourceKey(Kind.CLIENT, clientId);
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(clientId.getBytes(StandardCharsets.UTF_8));
            return new SourceKey(Kind.CLIENT, "sha256:" + HexFormat.of().formatHex(d));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    public static SourceKey address(String address) {
        return new SourceKey(Kind.ADDRESS, address);
    }

    /**
     * @param text {@code client:<id>} or {@code addr:<ip>}
     * @return the key, or {@code null} when the text is neither
     */
    public static SourceKey parse(String text) {
        if (text == null) {
            return null;
        }
        for (Kind k : Kind.values()) {
            if (text.startsWith(k.prefix) && text.length() > k.prefix.length()) {
                String v = text.substring(k.prefix.length());
                return k == Kind.CLIENT ? client(v) : address(v);
            }
        }
        return null;
    }

    /** @return {@code client:<id>} or {@code addr:<ip>} */
    @Override
    public String toString() {
        return kind.prefix + value;
    }
}
