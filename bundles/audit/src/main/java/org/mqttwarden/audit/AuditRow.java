package org.mqttwarden.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * One row of {@code warden_audit} exactly as stored (column values as text), and the chain rule:
 * {@code hash = hex(SHA-256(previous hash || canonical content))}, the first row chaining to
 * {@link #GENESIS}. The canonical content length-prefixes every column, id included, so neither a
 * moved row nor shifted text between columns keeps its hash.
 */
record AuditRow(long id, long occurredAt, String type, String outcome, String reason, String username, String roles,
        String clientId, String address, String topic, String access, String actor, String detail, String hash) {

    /** The "previous hash" of row 1. */
    static final String GENESIS = "0".repeat(64);

    /** Values longer than this are cut: the detail is meant to be small. */
    static final int MAX_DETAIL_VALUE = 512;
    static final int MAX_DETAIL_ENTRIES = 32;

    /** Keys whose values are never stored, whatever an emitter put there by mistake. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|secret|token|otp|credential|private|apikey|api_key).*");
    static final String REDACTED = "[redacted]";

    /** @return the row for {@code event} at {@code id}, chained to {@code previousHash} */
    static AuditRow of(long id, SecurityEvent event, String previousHash) {
        return chained(id, event.time().toEpochMilli(), event.type().name(), event.outcome().name(), event.reason(),
                event.username(), Json.array(event.roles()), event.clientId(), event.address(), event.topic(),
                event.access() == null ? null : event.access().name(), event.actor(),
                Json.object(safeDetail(event.detail())), previousHash);
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

    /** @return whether this row's hash is the one its content and {@code previousHash} give */
    boolean chainsTo(String previousHash) {
        return hash != null && hash.equals(chainHash(previousHash, canonical()));
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

    static String chainHash(String previousHash, String canonical) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(previousHash.getBytes(StandardCharsets.US_ASCII));
            sha.update(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Redacts secret-looking keys and keeps the detail small. */
    static Map<String, String> safeDetail(Map<String, String> detail) {
        Map<String, String> safe = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(detail).entrySet()) {
            if (safe.size() == MAX_DETAIL_ENTRIES) {
                safe.put("truncated", "true");
                break;
            }
            String value = SECRET_KEY.matcher(e.getKey()).matches() ? REDACTED : e.getValue();
            if (value.length() > MAX_DETAIL_VALUE) {
                value = value.substring(0, MAX_DETAIL_VALUE) + "…";
            }
            safe.put(e.getKey(), value);
        }
        return safe;
    }
}
