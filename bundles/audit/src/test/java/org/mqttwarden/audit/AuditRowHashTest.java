package org.mqttwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * The writer's {@link AuditRow.Hasher} gives exactly the hash of the chain's definition
 * ({@code chainHash(previous, canonical())}), so files written before it still verify. The expected
 * values were computed by the code before the hasher existed.
 */
class AuditRowHashTest {

    private static final String R1 = "ee4af04b89e4544afd0d7ffbec3412308ae81d45fe86062c396bd4f58a61c2bb";
    private static final String R2 = "18a8f28781c6a30bc74352c0cc3a65a31ac2e0ea9016d075c5955ee13015baeb";
    private static final String R3 = "dccde7b5c97a056d70af87c9337031b5ad6db571bfc04648e9df559524f55b38";

    private final AuditRow.Hasher hasher = new AuditRow.Hasher();

    @Test
    void hashesRowsOfNullsAsBefore() {
        AuditRow row = AuditRow.chained(1, 0, "ALERT", "ERROR", "", null, "[]", null, null, null, null, null, "{}",
                AuditRow.GENESIS);

        assertThat(row.hash()).isEqualTo(R1);
        assertThat(fast(row, AuditRow.GENESIS)).isEqualTo(R1);
    }

    @Test
    void hashesEmptyStringsAndNegativeNumbersAsBefore() {
        AuditRow row = AuditRow.chained(2, -5, "", "", "", "", "", "", "", "", "", "", "", R1);

        assertThat(row.hash()).isEqualTo(R2);
        assertThat(fast(row, R1)).isEqualTo(R2);
    }

    @Test
    void hashesNonAsciiTextAndBrokenSurrogatesAsBefore() {
        AuditRow row = AuditRow.chained(Long.MAX_VALUE, Long.MIN_VALUE, "ACL", "DENY", "acl.deny", "Jürgen",
                "[\"операторы\"]", "客户端-\uD83D\uDE00", "2001:db8::1", "plant/\uD83D\uDE00\uD800/x\uDC00y\uD83D",
                "WRITE", "ädmin\u0000\n\t", "{\"k\":\"\u2028\u00e9\"}", R2);

        assertThat(row.hash()).isEqualTo(R3);
        assertThat(fast(row, R2)).isEqualTo(R3);
    }

    @Test
    void hashesAPreviousHashThatIsNotAsciiAsBefore() {
        // only a tampered head row has one; the writer still chains to what is stored
        String previous = "é\uD83D\uDE00x";
        AuditRow row = AuditRow.chained(4, 1, "AUTH", "ALLOW", "auth.ok", "bob", "[]", null, null, null, null, null,
                "{}", previous);

        assertThat(row.hash()).isEqualTo("cecc7177e1867419120edf9c5b3d1397841c7ca7070c75bd365a297adfa1725d");
        assertThat(fast(row, previous)).isEqualTo(row.hash());
    }

    @Test
    void storesAndHashesEventsAsBefore() {
        SecurityEvent allow = new SecurityEvent(Instant.parse("2026-11-01T10:00:00.123Z"), EventType.ACL,
                Outcome.ALLOW, "acl.rule", "alice", Set.of("sensor", "admin", "Zeta", "ünï"), "alice-client", null,
                "alice/temp", Access.WRITE, null,
                Map.of("rule", "#1", "Password", "hunter2", "note", "say \"hi\"\\ \u0001 é\n", "z", ""));
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            many.put("key" + i, i == 3 ? "v".repeat(600) : "v" + i);
        }
        many.put("myToken", "hidden");
        many.put("apiKey", "hidden");
        SecurityEvent change = new SecurityEvent(Instant.ofEpochMilli(0), EventType.ADMIN_CHANGE, Outcome.ALLOW,
                "user.add", null, Set.of(), null, "192.0.2.1", null, null, "root", many);
        SecurityEvent deny = new SecurityEvent(Instant.ofEpochMilli(1), EventType.AUTH, Outcome.DENY,
                "auth.bad-password", "x", Set.of("a"), "c", null, null, null, null,
                Map.of("myToken", "hidden", "SECRET_thing", "x", "rule", "r"));

        AuditRow first = AuditRow.of(7, allow, R3, hasher);
        AuditRow second = AuditRow.of(8, change, first.hash(), hasher);
        AuditRow third = AuditRow.of(9, deny, second.hash(), hasher);

        assertThat(first.roles()).isEqualTo("[\"Zeta\",\"admin\",\"sensor\",\"ünï\"]");
        assertThat(first.detail()).isEqualTo("{\"Password\":\"[redacted]\","
                + "\"note\":\"say \\\"hi\\\"\\\\ \\u0001 é\\n\",\"rule\":\"#1\",\"z\":\"\"}");
        assertThat(first.hash()).isEqualTo("3295ccf718db8ab46bd3d6bfa25000107ec946581a1e88fc474440ee8335c5c9");
        // since issue 10, a long detail value is a 128-character prefix and a hash of the whole value
        assertThat(second.detail()).hasSize(628).startsWith("{\"apiKey\":\"[redacted]\",\"key0\":\"v0\",")
                .contains("\"key3\":\"" + "v".repeat(128) + "…#a688574a318db7ba1fc7b518b19f9ee2\"")
                .endsWith(",\"key36\":\"v36\",\"truncated\":\"true\"}");
        assertThat(second.hash()).isEqualTo("d7f42049a80bdc222a57786c03e01d49960354cb9f374054b98fab606ccf97fa");
        assertThat(third.detail())
                .isEqualTo("{\"SECRET_thing\":\"[redacted]\",\"myToken\":\"[redacted]\",\"rule\":\"r\"}");
        assertThat(third.hash()).isEqualTo("b6e550a25aa25bf30c1d73a510f465f8d1f1cba53a00af29086cda0e556e8546");
        assertThat(AuditRow.of(8, change, first.hash())).isEqualTo(second);
        assertThat(third.chainsTo(second.hash())).isTrue();
    }

    @Test
    void hashesRandomTextAsTheDefinitionDoes() {
        Random random = new Random(20261122);
        String previous = AuditRow.GENESIS;
        for (int i = 0; i < 20_000; i++) {
            AuditRow row = AuditRow.chained(random.nextLong(), random.nextLong(), text(random), text(random),
                    text(random), text(random), text(random), text(random), text(random), text(random), text(random),
                    text(random), text(random), previous);
            // every third row gets an equal but distinct previous hash, as after a failed commit and a retry
            String given = i % 3 == 0 ? new String(previous) : previous;
            String fast = hasher.chainHash(given, row.id(), row.occurredAt(), row.type(), row.outcome(),
                    row.reason(), row.username(), row.roles(), row.clientId(), row.address(), row.topic(),
                    row.access(), row.actor(), row.detail());
            assertThat(fast).as("row %d: %s", i, row).isEqualTo(row.hash());
            previous = fast;
        }
    }

    @Test
    void hashesLongValuesAsTheDefinitionDoes() {
        String topic = "t/\u00e9\u4e2d\uD83D\uDE00".repeat(20_000);
        AuditRow row = AuditRow.chained(3, 3, "ACL", "ALLOW", "acl.rule", "u", "[]", "c", null, topic, "READ", null,
                "{}", R3);

        assertThat(fast(row, R3)).isEqualTo(row.hash());
    }

    private String fast(AuditRow row, String previous) {
        return hasher.chainHash(previous, row.id(), row.occurredAt(), row.type(), row.outcome(), row.reason(),
                row.username(), row.roles(), row.clientId(), row.address(), row.topic(), row.access(), row.actor(),
                row.detail());
    }

    /** Null, empty, ASCII, Latin-1, BMP, surrogate pairs, lone surrogates and control characters, mixed. */
    private static String text(Random random) {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return null;
        }
        if (kind == 1) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        int n = random.nextInt(kind == 2 ? 400 : 24);
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(7)) {
                case 0 -> out.append((char) random.nextInt(0x20));
                case 1 -> out.append((char) (0x80 + random.nextInt(0x780)));
                case 2 -> out.append((char) (0x800 + random.nextInt(0xD000)));
                case 3 -> out.appendCodePoint(0x10000 + random.nextInt(0x100000));
                case 4 -> out.append((char) (0xD800 + random.nextInt(0x800)));
                case 5 -> out.append((char) (0xE000 + random.nextInt(0x2000)));
                default -> out.append((char) (0x20 + random.nextInt(0x60)));
            }
        }
        return out.toString();
    }
}
