package org.mqttwarden.audit.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;

class FormatTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "plain|plain",
        "a,b|\"a,b\"",
        "say \"hi\"|\"say \"\"hi\"\"\"",
        "\"|\"\"\"\"",
        "` spaces kept `|` spaces kept `",
        "semi;colon|semi;colon",
        "é ✓|é ✓",
    })
    void csvQuotesOnlyWhatRfc4180Requires(String value, String expected) {
        assertThat(Csv.field(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "=HYPERLINK(\"http://x\")|\"'=HYPERLINK(\"\"http://x\"\")\"",
        "+1+2|'+1+2",
        "-2+3|'-2+3",
        "@SUM(A1)|'@SUM(A1)",
        "a=b|a=b",
    })
    void defusesCellsASpreadsheetWouldRunAsFormulas(String value, String expected) {
        assertThat(Csv.field(value)).isEqualTo(expected);
    }

    @Test
    void csvQuotesLineBreaks() {
        assertThat(Csv.field("line1\nline2")).isEqualTo("\"line1\nline2\"");
        assertThat(Csv.field("cr\rhere")).isEqualTo("\"cr\rhere\"");
        assertThat(Csv.field("a\r\n\"b\",c")).isEqualTo("\"a\r\n\"\"b\"\",c\"");
        assertThat(Csv.field(null)).isEmpty();
    }

    @Test
    void csvLinesEndWithCrlfAndNullsAreEmpty() {
        assertThat(Csv.line(Arrays.asList("1", null, "a,b", ""))).isEqualTo("1,,\"a,b\",\r\n");
    }

    @Test
    void jsonEscapesQuotesBackslashesAndControls() {
        assertThat(JsonText.string("q\" b\\ n\n r\r t\t \b\f \u0001 \u001f \u007f \u2028 é ✓ /"))
                .isEqualTo("\"q\\\" b\\\\ n\\n r\\r t\\t \\b\\f \\u0001 \\u001F \\u007F \\u2028 é ✓ /\"");
        assertThat(JsonText.string("\u2029")).isEqualTo("\"\\u2029\"");
        assertThat(JsonText.string(null)).isEqualTo("null");
        assertThat(JsonText.array(Set.of("b", "a\""))).isEqualTo("[\"a\\\"\",\"b\"]");
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("z", "1");
        detail.put("a", "x\ny");
        assertThat(JsonText.object(detail)).isEqualTo("{\"a\":\"x\\ny\",\"z\":\"1\"}");
        assertThat(JsonText.object(Map.of())).isEqualTo("{}");
    }

    @Test
    void jsonlIsOneObjectPerLine() {
        AuditRecord r = new AuditRecord(7, Instant.parse("2026-11-01T10:00:00.123Z"), EventType.ACL, Outcome.DENY,
                "acl.none", "bob\nevil", Set.of("viewer"), null, "192.0.2.1", "a/\"b\"", Access.READ, null,
                Map.of("rule", "3"), "ab".repeat(32));

        String line = ExportFormat.JSONL.line(r);

        assertThat(line).endsWith("}\n").doesNotContain("\r");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
        assertThat(line).isEqualTo("{\"id\":7,\"time\":\"2026-11-01T10:00:00.123Z\",\"type\":\"ACL\","
                + "\"outcome\":\"DENY\",\"reason\":\"acl.none\",\"username\":\"bob\\nevil\",\"roles\":[\"viewer\"],"
                + "\"client_id\":null,\"address\":\"192.0.2.1\",\"topic\":\"a/\\\"b\\\"\",\"access\":\"READ\","
                + "\"actor\":null,\"detail\":{\"rule\":\"3\"},\"hash\":\"" + "ab".repeat(32) + "\"}\n");
    }

    @Test
    void consoleTextNeverCarriesControlCharacters() {
        String hostile = "evil\u001b[2J\nuser\t\u009b\u2028";
        // Printable.escape: one form for every character it escapes, bidi controls and backslashes included
        assertThat(AuditText.safe(hostile)).isEqualTo("evil\\u001B[2J\\u000Auser\\u0009\\u009B\\u2028");
        assertThat(AuditText.safe("a\u202Eb\\c")).isEqualTo("a\\u202Eb\\\\c");
        assertThat(AuditText.safe(null)).isEmpty();
        assertThat(AuditText.safe("plant/1/temp é")).isEqualTo("plant/1/temp é");

        AuditRecord r = new AuditRecord(3, Instant.parse("2026-11-01T10:00:00Z"), EventType.AUTH, Outcome.DENY,
                "auth.bad-password", hostile, Set.of(), "c\r1", null, null, null, null, Map.of(), "0".repeat(64));
        assertThat(AuditText.line(r)).isEqualTo("2026-11-01T10:00:00Z #3 AUTH DENY auth.bad-password"
                + " user=evil\\u001B[2J\\u000Auser\\u0009\\u009B\\u2028 client=c\\u000D1");
        assertThat(AuditText.cells(r)).hasSize(AuditText.COLUMNS.length).noneMatch(c -> c.chars().anyMatch(
                ch -> ch < 0x20));
    }

    @Test
    void verifyTextSaysOkOrWhereItBroke() {
        assertThat(VerifyText.describe(VerifyResult.intact(12))).isEqualTo("OK: 12 rows checked, the chain is intact.");
        assertThat(VerifyText.describe(VerifyResult.broken(5, 5, "Row 5 does not match its hash.")))
                .isEqualTo("BROKEN at row 5 (5 rows checked): Row 5 does not match its hash.");
    }
}
