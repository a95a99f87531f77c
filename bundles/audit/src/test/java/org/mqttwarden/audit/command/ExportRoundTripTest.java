package org.mqttwarden.audit.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.audit.AuditLog;

/** Rows written by a real audit log, exported, and read back field by field. */
class ExportRoundTripTest {

    @TempDir
    Path dir;

    AuditLog log;

    @BeforeEach
    void open() throws Exception {
        log = TestLogs.open(dir.resolve("audit.db"));
        TestLogs.record(log, TestLogs.event(0, EventType.AUTH, Outcome.ALLOW, "alice", null, Map.of()));
        TestLogs.record(log, TestLogs.event(1, EventType.ACL, Outcome.DENY, "bob, \"the\" builder", "a,b/\"c\"",
                Map.of("note", "line1\nline2\r\nend", "rule", "7")));
        TestLogs.record(log, TestLogs.event(2, EventType.ADMIN_CHANGE, Outcome.ERROR, null, null,
                Map.of("tab", "\t", "unicode", "é ✓ \u2028")));
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void csvReadsBackToTheSameFields() throws Exception {
        List<AuditRecord> rows = oldestFirst();
        Path out = dir.resolve("export.csv");

        assertThat(AuditExport.write(rows, ExportFormat.CSV, out, false)).isEqualTo(3);

        List<List<String>> read = parseCsv(Files.readString(out, StandardCharsets.UTF_8));
        assertThat(read).hasSize(4);
        assertThat(read.get(0)).isEqualTo(ExportFormat.FIELDS);
        for (int i = 0; i < rows.size(); i++) {
            AuditRecord r = rows.get(i);
            List<String> f = read.get(i + 1);
            assertThat(f).hasSize(ExportFormat.FIELDS.size());
            assertThat(f.get(0)).isEqualTo(Long.toString(r.id()));
            assertThat(f.get(1)).isEqualTo(r.time().toString());
            assertThat(f.get(2)).isEqualTo(r.type().name());
            assertThat(f.get(3)).isEqualTo(r.outcome().name());
            assertThat(f.get(4)).isEqualTo(r.reason());
            assertThat(f.get(5)).isEqualTo(orEmpty(r.username()));
            assertThat(f.get(6)).isEqualTo(JsonText.array(r.roles()));
            assertThat(f.get(7)).isEqualTo(orEmpty(r.clientId()));
            assertThat(f.get(9)).isEqualTo(orEmpty(r.topic()));
            assertThat(f.get(12)).isEqualTo(JsonText.object(r.detail()));
            assertThat(f.get(13)).isEqualTo(r.hash());
        }
        assertThat(read.get(2).get(5)).isEqualTo("bob, \"the\" builder");
        assertThat(read.get(2).get(12)).isEqualTo("{\"note\":\"line1\\nline2\\r\\nend\",\"rule\":\"7\"}");
        if (out.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        }
    }

    @Test
    void jsonlHasOneLinePerRowInOrder() throws Exception {
        List<AuditRecord> rows = oldestFirst();
        Path out = dir.resolve("export.jsonl");

        assertThat(AuditExport.write(rows, ExportFormat.JSONL, out, false)).isEqualTo(3);

        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(lines.get(i)).startsWith("{\"id\":" + rows.get(i).id() + ",").endsWith("\"}")
                    .contains("\"hash\":\"" + rows.get(i).hash() + "\"");
        }
        assertThat(lines.get(1)).contains("\"username\":\"bob, \\\"the\\\" builder\"")
                .contains("\"note\":\"line1\\nline2\\r\\nend\"");
        assertThat(lines.get(2)).contains("\"username\":null").contains("\"unicode\":\"é ✓ \\u2028\"");
    }

    @Test
    void refusesToReplaceAFileUnlessForced() throws Exception {
        Path out = dir.resolve("taken.csv");
        Files.writeString(out, "keep me");

        assertThatThrownBy(() -> AuditExport.write(oldestFirst(), ExportFormat.CSV, out, false))
                .isInstanceOf(CommandException.class).hasMessage("File " + out + " exists; add --force to replace it.");
        assertThat(Files.readString(out)).isEqualTo("keep me");

        assertThat(AuditExport.write(oldestFirst(), ExportFormat.CSV, out, true)).isEqualTo(3);
        assertThat(Files.readString(out)).startsWith("id,time,");

        assertThatThrownBy(() -> AuditExport.write(oldestFirst(), ExportFormat.CSV, dir.resolve("no/such.csv"),
                false)).isInstanceOf(CommandException.class).hasMessageEndingWith("does not exist.");
    }

    private List<AuditRecord> oldestFirst() {
        List<AuditRecord> rows = new ArrayList<>(log.search(AuditFilter.any()));
        Collections.reverse(rows);
        return rows;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** A strict RFC 4180 reader: CRLF between records, quoted fields may hold anything. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' && field.length() == 0) {
                i++;
                while (true) {
                    char q = text.charAt(i++);
                    if (q == '"') {
                        if (i < text.length() && text.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(q);
                    }
                }
                char next = text.charAt(i);
                assertThat(next).as("after a quoted field").isIn(',', '\r');
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                i++;
            } else if (c == '\r') {
                assertThat(text.charAt(i + 1)).isEqualTo('\n');
                fields.add(field.toString());
                field.setLength(0);
                records.add(fields);
                fields = new ArrayList<>();
                i += 2;
            } else {
                assertThat(c).as("bare line feed or quote").isNotIn('\n', '"');
                field.append(c);
                i++;
            }
        }
        assertThat(fields).as("text ends with CRLF").isEmpty();
        return records;
    }
}
