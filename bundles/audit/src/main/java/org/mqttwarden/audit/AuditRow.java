package org.mqttwarden.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import javax.crypto.Mac;

import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * One row of {@code warden_audit} exactly as stored (column values as text), and the chain rule:
 * {@code hash = hex(HMAC-SHA256(key, previous hash || canonical content))} under the {@link AuditKey},
 * the first row chaining to {@link #GENESIS}. Rows written before the chain was keyed (files of an
 * earlier version) use {@code hex(SHA-256(previous hash || canonical content))}, the same input unkeyed;
 * an {@value #KEYED} row marks where a file switches (see {@link AuditLog#verify()}). The canonical
 * content length-prefixes every column, id included, so neither a moved row nor shifted text between
 * columns keeps its hash.
 *
 * <p>Values a client chooses are bounded: a username, client id or actor longer than
 * {@value #MAX_NAME} characters, a topic longer than {@value #MAX_TOPIC} and a detail value longer than
 * {@value #MAX_DETAIL_VALUE} are stored as a prefix plus {@code …#} and the first 32 hex digits of the
 * SHA-256 of the whole value (UTF-8), so rows stay small and two long values still tell apart.
 */
record AuditRow(long id, long occurredAt, String type, String outcome, String reason, String username, String roles,
        String clientId, String address, String topic, String access, String actor, String detail, String hash) {

    /** The "previous hash" of row 1. */
    static final String GENESIS = "0".repeat(64);

    /** Reason code of the row where a file's chain switches to the current key (a migration or a new key). */
    static final String KEYED = "audit.chain-keyed";
    /** In a {@value #KEYED} row: what the rows before it use, {@code sha256} or {@code hmac:<key id>}. */
    static final String CHAIN_BEFORE = "chain_before";
    static final String KEY_ID = "key_id";

    /** Detail values longer than this are a prefix and a hash: the detail is meant to be small. */
    static final int MAX_DETAIL_VALUE = 256;
    static final int MAX_DETAIL_ENTRIES = 32;

    /** Keys whose values are never stored, whatever an emitter put there by mistake. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?is).*(password|passwd|secret|token|otp|credential|private|apikey|api_key).*");
    /** Longest username, client id or actor stored as is, in characters; longer: a prefix and a hash. */
    static final int MAX_NAME = 128;
    /** Longest topic stored as is, in characters; longer: a prefix and a hash. */
    static final int MAX_TOPIC = 256;
    /** Characters of a long value kept before its hash. */
    private static final int KEEP_NAME = 64;
    private static final int KEEP_TOPIC = 192;
    private static final int KEEP_DETAIL = 128;
    static final String REDACTED = "[redacted]";

    /** @return the row for {@code event} at {@code id}, chained to {@code previousHash} */
    static AuditRow of(long id, SecurityEvent event, String previousHash) {
        return of(id, event, previousHash, new Hasher());
    }

    /** As above, hashing with {@code hasher}: the writer's, reused for every row it writes. */
    static AuditRow of(long id, SecurityEvent event, String previousHash, Hasher hasher) {
        long occurredAt = event.time().toEpochMilli();
        String type = event.type().name();
        String outcome = event.outcome().name();
        String roles = Json.array(event.roles());
        String access = event.access() == null ? null : event.access().name();
        String detail = Json.object(safeDetail(event.detail()));
        String reason = column(event.reason(), 256);
        String username = bounded(event.username(), MAX_NAME, KEEP_NAME);
        String clientId = bounded(event.clientId(), MAX_NAME, KEEP_NAME);
        String address = column(event.address(), 128);
        String topic = bounded(event.topic(), MAX_TOPIC, KEEP_TOPIC);
        String actor = bounded(event.actor(), MAX_NAME, KEEP_NAME);
        String hash = hasher.chainHash(previousHash, id, occurredAt, type, outcome, reason, username, roles, clientId,
                address, topic, access, actor, detail);
        return new AuditRow(id, occurredAt, type, outcome, reason, username, roles, clientId, address, topic, access,
                actor, detail, hash);
    }

    /**
     * What a text column can hold on every database: at most {@code max} characters (a failed login
     * may carry a username of kilobytes; cut, marked with "…", never splitting a surrogate pair) and
     * no NUL, which PostgreSQL refuses in text (replaced by U+FFFD). Anything else is kept as sent.
     */
    static String column(String value, int max) {
        if (value == null) {
            return null;
        }
        String v = value.indexOf('\0') < 0 ? value : value.replace('\0', '\uFFFD');
        if (v.length() <= max) {
            return v;
        }
        int cut = max - 1;
        if (Character.isHighSurrogate(v.charAt(cut - 1))) {
            cut--;
        }
        return v.substring(0, cut) + "…";
    }

    /** @return a username or client id as a row stores it (see the class comment) */
    static String name(String value) {
        return bounded(value, MAX_NAME, KEEP_NAME);
    }

    /** @return a topic as a row stores it */
    static String topic(String value) {
        return bounded(value, MAX_TOPIC, KEEP_TOPIC);
    }

    /**
     * @return {@code value} (NUL replaced) when at most {@code max} characters, else its first {@code keep}
     *     characters (not splitting a surrogate pair), {@code …#} and 32 hex digits of its SHA-256;
     *     {@code null} for {@code null}
     */
    static String bounded(String value, int max, int keep) {
        if (value == null || value.length() <= max) {
            return column(value, max);
        }
        int cut = keep;
        if (Character.isHighSurrogate(value.charAt(cut - 1))) {
            cut--;
        }
        byte[] digest = sha256().digest(value.getBytes(StandardCharsets.UTF_8));
        return column(value.substring(0, cut), keep) + "…#" + HexFormat.of().formatHex(digest, 0, 16);
    }

    static AuditRow chained(long id, long occurredAt, String type, String outcome, String reason, String username,
            String roles, String clientId, String address, String topic, String access, String actor, String detail,
            String previousHash) {
        AuditRow unhashed = new AuditRow(id, occurredAt, type, outcome, reason, username, roles, clientId, address,
                topic, access, actor, detail, "");
        return unhashed.withHash(chainHash(previousHash, unhashed.canonical()));
    }

    static AuditRow read(ResultSet rs) throws SQLException {
        return new AuditRow(rs.getLong("id"), rs.getLong("occurred_at"), rs.getString("type"),
                rs.getString("outcome"), rs.getString("reason"), rs.getString("username"), rs.getString("roles"),
                rs.getString("client_id"), rs.getString("address"), rs.getString("topic"), rs.getString("access"),
                rs.getString("actor"), rs.getString("detail"), rs.getString("hash"));
    }

    /** @return whether this row's hash is the one its content and {@code previousHash} give, unkeyed */
    boolean chainsTo(String previousHash) {
        return hash != null && hash.equals(chainHash(previousHash, canonical()));
    }

    /**
     * @param mac the chain's MAC, or {@code null} for the unkeyed SHA-256 of rows written before keying
     * @return whether this row's hash is the one its content and {@code previousHash} give
     */
    boolean chainsTo(String previousHash, Mac mac) {
        return hash != null && hash.equals(mac == null ? chainHash(previousHash, canonical())
                : macHash(mac, previousHash, canonical()));
    }

    /** The keyed chain's definition: {@code hex(HMAC(previousHash || canonical))}. */
    static String macHash(Mac mac, String previousHash, String canonical) {
        mac.update(previousHash.getBytes(StandardCharsets.US_ASCII));
        mac.update(canonical.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(mac.doFinal());
    }

    /** @return this row with its hash recomputed under {@code mac} from {@code previousHash} (tests, migration) */
    AuditRow rechained(String previousHash, Mac mac) {
        return withHash(mac == null ? chainHash(previousHash, canonical()) : macHash(mac, previousHash, canonical()));
    }

    /** @return the content the hash covers: every column but the hash, length-prefixed, null distinct from "" */
    String canonical() {
        StringBuilder out = new StringBuilder(256);
        field(out, Long.toString(id));
        field(out, Long.toString(occurredAt));
        field(out, type);
        field(out, outcome);
        field(out, reason);
        field(out, username);
        field(out, roles);
        field(out, clientId);
        field(out, address);
        field(out, topic);
        field(out, access);
        field(out, actor);
        field(out, detail);
        return out.toString();
    }

    AuditRecord toRecord() {
        return new AuditRecord(id, Instant.ofEpochMilli(occurredAt), EventType.valueOf(type), Outcome.valueOf(outcome),
                reason, username, new HashSet<>(Json.parseArray(roles)), clientId, address, topic,
                access == null ? null : Access.valueOf(access), actor, Json.parseObject(detail), hash);
    }

    private AuditRow withHash(String h) {
        return new AuditRow(id, occurredAt, type, outcome, reason, username, roles, clientId, address, topic, access,
                actor, detail, h);
    }

    private static void field(StringBuilder out, String value) {
        if (value == null) {
            out.append("-;");
        } else {
            out.append(value.length()).append(':').append(value).append(';');
        }
    }

    /** The definition of the chain; {@link Hasher} gives the same hash, faster. */
    static String chainHash(String previousHash, String canonical) {
        MessageDigest sha = sha256();
        sha.update(previousHash.getBytes(StandardCharsets.US_ASCII));
        sha.update(canonical.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Redacts secret-looking keys and keeps the detail small. */
    static Map<String, String> safeDetail(Map<String, String> detail) {
        Map<String, String> safe = new TreeMap<>();
        // sorted first only when some entries are to be cut: which ones must not depend on the map's order
        Map<String, String> sorted = detail.size() > MAX_DETAIL_ENTRIES ? new TreeMap<>(detail) : detail;
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            if (safe.size() == MAX_DETAIL_ENTRIES) {
                safe.put("truncated", "true");
                break;
            }
            String value = SECRET_KEY.matcher(e.getKey()).matches() ? REDACTED : e.getValue();
            if (value.length() > MAX_DETAIL_VALUE) {
                value = bounded(value, MAX_DETAIL_VALUE, KEEP_DETAIL);
            }
            safe.put(e.getKey(), value);
        }
        return safe;
    }

    /**
     * Computes {@link #chainHash(String, String) chainHash(previousHash, canonical())} of a row without
     * building its canonical text: the same bytes (UTF-8, unpaired surrogates as {@code ?}, as
     * {@link String#getBytes} writes them) go into one buffer and one digest, both reused. Confined to
     * one thread: the writer owns one.
     */
    static final class Hasher {

        private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

        private final MessageDigest sha;
        /** When set, the chain is keyed: the same bytes go into this MAC instead of {@link #sha}. */
        private final Mac mac;
        /** The last hash returned, as text and as bytes: it is usually the next row's previous hash. */
        private final byte[] lastHex = new byte[64];
        private String lastHash;
        /** The canonical content of the row being hashed. */
        private byte[] buf = new byte[1024];
        private int len;

        /** An unkeyed hasher: the SHA-256 chain of files written before keying. */
        Hasher() {
            this(null);
        }

        /** @param key the chain's key, or {@code null} for unkeyed SHA-256 */
        Hasher(AuditKey key) {
            this.mac = key == null ? null : key.mac();
            this.sha = key == null ? sha256() : null;
        }

        /** @return whether this hasher MACs (keyed chain) */
        boolean keyed() {
            return mac != null;
        }

        String chainHash(String previousHash, long id, long occurredAt, String type, String outcome, String reason,
                String username, String roles, String clientId, String address, String topic, String access,
                String actor, String detail) {
            len = 0;
            byte[] previous = previousHash == lastHash ? lastHex : previousHash.getBytes(StandardCharsets.US_ASCII);
            number(id);
            number(occurredAt);
            field(type);
            field(outcome);
            field(reason);
            field(username);
            field(roles);
            field(clientId);
            field(address);
            field(topic);
            field(access);
            field(actor);
            field(detail);
            byte[] digest;
            if (mac != null) {
                mac.update(previous);
                mac.update(buf, 0, len);
                digest = mac.doFinal();
            } else {
                sha.update(previous);
                sha.update(buf, 0, len);
                digest = sha.digest();
            }
            for (int i = 0; i < digest.length; i++) {
                lastHex[2 * i] = HEX[(digest[i] >> 4) & 0xf];
                lastHex[2 * i + 1] = HEX[digest[i] & 0xf];
            }
            lastHash = new String(lastHex, StandardCharsets.US_ASCII);
            return lastHash;
        }

        /** {@code length:digits;} of a number's decimal text. */
        private void number(long value) {
            String text = Long.toString(value);
            decimal(text.length());
            ensure(1);
            buf[len++] = ':';
            utf8(text);
            ensure(1);
            buf[len++] = ';';
        }

        /** {@code -;} for null, else {@code length:text;} with the length in chars, as {@link AuditRow#canonical()}. */
        private void field(String value) {
            if (value == null) {
                ensure(2);
                buf[len++] = '-';
                buf[len++] = ';';
                return;
            }
            decimal(value.length());
            ensure(1);
            buf[len++] = ':';
            utf8(value);
            ensure(1);
            buf[len++] = ';';
        }

        private void decimal(int value) {
            ensure(10);
            int start = len;
            do {
                buf[len++] = (byte) ('0' + value % 10);
                value /= 10;
            } while (value != 0);
            for (int i = start, j = len - 1; i < j; i++, j--) {
                byte b = buf[i];
                buf[i] = buf[j];
                buf[j] = b;
            }
        }

        private void utf8(String s) {
            int n = s.length();
            ensure(3 * n);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    buf[len++] = (byte) c;
                } else if (c < 0x800) {
                    buf[len++] = (byte) (0xc0 | (c >> 6));
                    buf[len++] = (byte) (0x80 | (c & 0x3f));
                } else if (Character.isSurrogate(c)) {
                    char low;
                    if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(low = s.charAt(i + 1))) {
                        int cp = Character.toCodePoint(c, low);
                        buf[len++] = (byte) (0xf0 | (cp >> 18));
                        buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                        buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                        buf[len++] = (byte) (0x80 | (cp & 0x3f));
                        i++;
                    } else {
                        buf[len++] = '?';
                    }
                } else {
                    buf[len++] = (byte) (0xe0 | (c >> 12));
                    buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                    buf[len++] = (byte) (0x80 | (c & 0x3f));
                }
            }
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(2 * buf.length, len + more));
            }
        }
    }
}
