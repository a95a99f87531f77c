package org.mqttwarden.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.crypto.Mac;

import org.mqttwarden.api.audit.AuditQuery.VerifyResult;

/**
 * The rules of the audit chain as {@link AuditLog#verify(List)} checks them, in one place.
 *
 * <p><b>Links.</b> Row {@code n} carries {@code MAC(hash of row n-1 || content of row n)}: HMAC-SHA256 under
 * the {@link AuditKey} from the {@value AuditRow#KEYED} row on (or from row 1 in a file that never had
 * unkeyed rows), SHA-256 before it. Ids are contiguous, so a missing id is a deleted row.
 *
 * <p><b>Pruning classes.</b> Every row has a {@link #rank} read from its type, outcome and reason: 0
 * routine (allows, allow summaries, "not a superuser"), 1 refusals (denied logins and ACL checks, errors,
 * their summaries and aggregates), 2 kept (admin changes, lockouts, alerts, OTP, messages and the audit's
 * own records). Size-based pruning removes rank 0 rows first, then rank 1, oldest first, and only then cuts
 * the oldest rows of every rank.
 *
 * <p><b>Tombstones.</b> Removing rank 0/1 rows from the middle collapses each run of consecutive removable
 * rows {@code a..b} into a tombstone: row {@code b} keeps its id, time, type, outcome, reason and hash, its
 * other columns are emptied and its detail says {@code {"audit.tombstone":"a"}}; rows {@code a..b-1} are
 * deleted. Row {@code b+1} still chains to {@code b}'s hash, so every row kept stays verified. A tombstone's
 * own content can no longer be checked; what keeps it honest is the newest {@value AuditRetention#PRUNED}
 * record (keyed, so it cannot be forged without the key): it names the rule ({@code routine_before = c0}:
 * rank 0 rows below {@code c0} may go; {@code refusals_before = c1}: rank 1 rows below {@code c1}) and how
 * many ids in the chain's kept range fall under that rule ({@code prunable}, counting ids already deleted).
 * The walk requires that every missing id be followed by a tombstone covering it, every tombstone fall
 * under the rule, and the ids under the rule add up to {@code prunable}: deleting a kept row, or relabelling
 * one as routine and tombstoning it, changes that count.
 *
 * <p><b>Anchors.</b> An {@link Anchor} is a copy of {@code (id, hash)} of a row kept outside the database
 * (the writer logs the head at INFO periodically and on closing). A row at or after the chain's start must
 * still have that hash, and the file must reach that id: a cut-off tail or a rewrite of the rows before
 * the anchor shows.
 */
final class AuditChain {

    /** Detail key of a tombstone: the first id of the run it stands for. */
    static final String TOMBSTONE = "audit.tombstone";
    /** The ranks, as SQL over the columns: must agree with {@link #rank(String, String, String)}. */
    static final String RANK_SQL = "(CASE WHEN type IN ('ADMIN_CHANGE', 'LOCKOUT', 'ALERT', 'OTP', 'MESSAGE')"
            + " THEN 2 WHEN outcome = 'ALLOW' OR (type = 'SUPERUSER' AND outcome = 'DENY') THEN 0 ELSE 1 END)";

    static final int ROUTINE = 0;
    static final int REFUSAL = 1;
    static final int KEPT = 2;

    private static final int PAGE = 2000;
    private static final String SHA256 = "sha256";

    private AuditChain() {
    }

    /** @return the pruning rank of a row: {@link #ROUTINE}, {@link #REFUSAL} or {@link #KEPT} */
    static int rank(String type, String outcome, String reason) {
        switch (type) {
            case "ADMIN_CHANGE", "LOCKOUT", "ALERT", "OTP", "MESSAGE":
                return KEPT;
            default:
                return "ALLOW".equals(outcome) || ("SUPERUSER".equals(type) && "DENY".equals(outcome)) ? ROUTINE
                        : REFUSAL;
        }
    }

    /** @return whether {@code row} is a tombstone, and then the first id of the run it stands for */
    static Long tombstoneFrom(AuditRow row) {
        if (row.detail() == null || !row.detail().contains(TOMBSTONE)) {
            return null;
        }
        String from = detail(row).get(TOMBSTONE);
        try {
            return from == null ? null : Long.valueOf(from);
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    /** A row's id and hash as logged outside the database. */
    record Anchor(long id, String hash) {
        private static final Pattern TEXT = Pattern.compile("(\\d{1,18}):([0-9a-f]{64})");
        private static final Pattern LOG = Pattern.compile(Pattern.quote(AuditWriter.ANCHOR_LOG)
                + " (\\d{1,18}) hash ([0-9a-f]{64})");

        /** @throws IllegalArgumentException when {@code text} is not {@code <id>:<64 hex>} */
        static Anchor parse(String text) {
            Matcher m = TEXT.matcher(text == null ? "" : text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("An anchor is <row id>:<64 hex digits>, as the log's '"
                        + AuditWriter.ANCHOR_LOG + " <id> hash <hex>' line gives it.");
            }
            return new Anchor(Long.parseLong(m.group(1)), m.group(2));
        }

        /** @return every anchor the log file {@code file} holds, in file order */
        static List<Anchor> parseLog(Path file) throws IOException {
            List<Anchor> out = new ArrayList<>();
            try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
                lines.forEach(line -> {
                    Matcher m = LOG.matcher(line);
                    if (m.find()) {
                        out.add(new Anchor(Long.parseLong(m.group(1)), m.group(2)));
                    }
                });
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            return out;
        }
    }

    /** The newest pruning record's terms, or none. */
    record Terms(long recordId, long firstKept, String previousHash, long routineBefore, long refusalsBefore,
            long prunable) {
        static final Terms NONE = new Terms(Long.MAX_VALUE, 1, AuditRow.GENESIS, 0, 0, 0);

        boolean covers(int rank, long id) {
            return id < recordId
                    && ((rank == ROUTINE && id < routineBefore) || (rank == REFUSAL && id < refusalsBefore));
        }
    }

    /** @return the terms of the newest pruning record, or {@link Terms#NONE} */
    static Optional<Terms> terms(AuditFile file) {
        return AuditRetention.lastPruning(file).map(r -> {
            Map<String, String> d = detail(r);
            return new Terms(r.id(), number(d.get(AuditRetention.FIRST_KEPT), -1),
                    AuditRetention.previousHash(r), number(d.get(AuditRetention.ROUTINE_BEFORE), 0),
                    number(d.get(AuditRetention.REFUSALS_BEFORE), 0), number(d.get(AuditRetention.PRUNABLE), 0));
        });
    }

    /**
     * @return {@code null} when the file is empty or its last row is chained under {@code key}; else what
     *     the last row uses: {@code sha256} (a file of the unkeyed version) or {@code hmac:<key id>} /
     *     {@code unknown} (another key, or a last row that matches neither)
     */
    static String headChain(AuditFile file, AuditKey key) {
        Optional<AuditRow> head = file.jdbi().withHandle(h -> h.createQuery("SELECT " + AuditTables.COLUMNS
                + " FROM warden_audit ORDER BY id DESC LIMIT 1").map((rs, ctx) -> AuditRow.read(rs)).findOne());
        if (head.isEmpty()) {
            return null;
        }
        String previous = predecessorHash(file, head.get().id());
        if (previous != null && head.get().chainsTo(previous, key.mac())) {
            return null;
        }
        if (previous != null && head.get().chainsTo(previous, null)) {
            return SHA256;
        }
        Optional<AuditRow> marker = lastMarker(file);
        String other = marker.map(m -> detail(m).get(AuditRow.KEY_ID)).orElse(null);
        return other != null && !other.equals(key.id()) ? "hmac:" + other : "hmac:unknown";
    }

    /** @return the hash row {@code id} chains to, when it can be known: row 1's, a row's, or a pruning record's */
    private static String predecessorHash(AuditFile file, long id) {
        if (id == 1) {
            return AuditRow.GENESIS;
        }
        Optional<String> hash = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_HASH)
                .bind("id", id - 1).mapTo(String.class).findOne());
        if (hash.isPresent()) {
            return hash.get();
        }
        return terms(file).filter(t -> t.firstKept() == id).map(Terms::previousHash).orElse(null);
    }

    private static Optional<AuditRow> lastMarker(AuditFile file) {
        return file.jdbi().withHandle(h -> h.createQuery("SELECT " + AuditTables.COLUMNS + " FROM warden_audit"
                + " WHERE reason = '" + AuditRow.KEYED + "' ORDER BY id DESC LIMIT 1")
                .map((rs, ctx) -> AuditRow.read(rs)).findOne());
    }

    private static Optional<AuditRow> firstMarkerFrom(AuditFile file, long id) {
        return file.jdbi().withHandle(h -> h.createQuery("SELECT " + AuditTables.COLUMNS + " FROM warden_audit"
                + " WHERE reason = '" + AuditRow.KEYED + "' AND id >= :id ORDER BY id LIMIT 1").bind("id", id)
                .map((rs, ctx) -> AuditRow.read(rs)).findOne());
    }

    /** Verifies the file's chain under {@code key} and against {@code anchors} (see the class comment). */
    static VerifyResult verify(AuditFile file, AuditKey key, List<Anchor> anchors) {
        long[] bounds = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_BOUNDS)
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).one());
        if (bounds[2] == 0) {
            for (Anchor a : anchors) {
                return VerifyResult.broken(0, a.id(), "The file is empty, but an anchor names row " + a.id()
                        + ": every row was removed.");
            }
            return VerifyResult.intact(0);
        }
        long lowest = bounds[0];
        Optional<Terms> found = terms(file);
        Terms terms = found.orElse(Terms.NONE);
        if (found.isPresent()) {
            Terms t = found.get();
            if (t.firstKept() < 1 || t.previousHash() == null || t.firstKept() > t.recordId()
                    || (t.firstKept() == 1 && !AuditRow.GENESIS.equals(t.previousHash()))) {
                return VerifyResult.broken(0, t.recordId(), "Row " + t.recordId() + " is a pruning record that"
                        + " does not say where the chain starts: it was altered.");
            }
        }
        long start = terms.firstKept();
        String startHash = terms.previousHash();
        if (lowest == 1) {
            // nothing deleted yet (or a pruning record written before its deletions): walk it all
            start = 1;
            startHash = AuditRow.GENESIS;
        } else if (start < lowest && !coveredByTombstone(file, lowest, start)) {
            return VerifyResult.broken(0, start, "Rows " + start + " to " + (lowest - 1) + " are missing (deleted)"
                    + (found.isPresent() ? ": the newest pruning record, row " + terms.recordId() + ", keeps rows from "
                            + start + "." : " and no pruning record accounts for them."));
        }
        Mac current = key.mac();
        // the mode the walk starts in: what the first switch after the start says came before it, else keyed
        Mac mode = current;
        String unverifiable = null;
        Optional<AuditRow> marker = firstMarkerFrom(file, start);
        if (marker.isPresent()) {
            String before = detail(marker.get()).getOrDefault(AuditRow.CHAIN_BEFORE, "unknown");
            if (SHA256.equals(before)) {
                mode = null;
            } else if (!("hmac:" + key.id()).equals(before)) {
                unverifiable = before;
            }
        }
        VerifyResult walked = walk(file, key, current, mode, unverifiable, start, startHash, terms);
        if (!walked.ok()) {
            return walked;
        }
        return checkAnchors(file, anchors, walked, start, bounds[1]);
    }

    /** @return whether row {@code id} is a tombstone standing for ids from {@code from} or earlier */
    private static boolean coveredByTombstone(AuditFile file, long id, long from) {
        return file.jdbi().withHandle(h -> h.createQuery("SELECT " + AuditTables.COLUMNS + " FROM warden_audit"
                + " WHERE id = :id").bind("id", id).map((rs, ctx) -> AuditRow.read(rs)).findOne())
                .map(AuditChain::tombstoneFrom).filter(f -> f <= from).isPresent();
    }

    private static VerifyResult walk(AuditFile file, AuditKey key, Mac current, Mac startMode, String unverifiable,
            long start, String startHash, Terms terms) {
        long expectedId = start;
        String previous = startHash;
        Mac mode = startMode;
        long checked = 0;
        long prunable = 0;
        while (true) {
            long after = expectedId - 1;
            List<AuditRow> page = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_PAGE)
                    .bind("after", after).bind("n", PAGE).map((rs, ctx) -> AuditRow.read(rs)).list());
            if (page.isEmpty()) {
                break;
            }
            for (AuditRow row : page) {
                checked++;
                Long from = tombstoneFrom(row);
                if (row.id() != expectedId) {
                    if (from == null || from > expectedId) {
                        return VerifyResult.broken(checked, expectedId, "Row " + expectedId + " is missing (deleted);"
                                + " the next row is " + row.id() + " and no pruning accounts for it.");
                    }
                    prunable += Math.max(0, row.id() - Math.max(expectedId, terms.firstKept()));
                }
                int rank = rank(row.type(), row.outcome(), row.reason());
                if (from != null) {
                    if (from > row.id() || !terms.covers(rank, row.id())) {
                        return VerifyResult.broken(checked, row.id(), "Row " + row.id() + " is a tombstone that the"
                                + " newest pruning record does not account for: a row was removed by hand.");
                    }
                    prunable += row.id() >= terms.firstKept() ? 1 : 0;
                } else {
                    if (AuditRow.KEYED.equals(row.reason())) {
                        String id = detail(row).get(AuditRow.KEY_ID);
                        if (!key.id().equals(id)) {
                            return VerifyResult.broken(checked, row.id(), "Row " + row.id() + " starts a chain"
                                    + " segment under key " + id + ", not this gateway's key " + key.id()
                                    + ": it cannot be verified.");
                        }
                        mode = current;
                        unverifiable = null;
                    } else if (unverifiable != null) {
                        return VerifyResult.broken(checked, row.id(), "Rows from " + row.id() + " were chained"
                                + " under " + unverifiable + ", which this gateway does not have: they cannot be"
                                + " verified.");
                    }
                    if (!row.chainsTo(previous, mode)) {
                        return VerifyResult.broken(checked, row.id(), "Row " + row.id() + " does not match its hash:"
                                + " it was altered or inserted, or the row before it was, or it was hashed"
                                + " without the key.");
                    }
                    if (row.id() >= terms.firstKept() && terms.covers(rank, row.id())) {
                        prunable++;
                    }
                }
                previous = row.hash();
                expectedId = row.id() + 1;
            }
        }
        if (terms != Terms.NONE && prunable != terms.prunable()) {
            return VerifyResult.broken(checked, terms.recordId(), "The pruning record, row " + terms.recordId()
                    + ", accounts for " + terms.prunable() + " prunable rows, but " + prunable + " are removed or"
                    + " removable: rows were deleted or relabelled by hand.");
        }
        return VerifyResult.intact(checked, start);
    }

    private static VerifyResult checkAnchors(AuditFile file, List<Anchor> anchors, VerifyResult walked, long start,
            long last) {
        for (Anchor a : anchors) {
            if (a.id() < start) {
                continue; // pruned since: the chain's start is vouched for by the pruning record
            }
            if (a.id() > last) {
                return VerifyResult.broken(walked.rowsChecked(), last + 1, "The file ends at row " + last + ", but"
                        + " an anchor names row " + a.id() + ": rows were cut off the end.");
            }
            Optional<String> hash = file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_HASH)
                    .bind("id", a.id()).mapTo(String.class).findOne());
            if (hash.isPresent() && !hash.get().equals(a.hash())) {
                return VerifyResult.broken(walked.rowsChecked(), a.id(), "Row " + a.id() + " does not have the"
                        + " hash its anchor gives: the chain up to it was rewritten.");
            }
        }
        return walked;
    }

    static Map<String, String> detail(AuditRow row) {
        try {
            return Json.parseObject(row.detail());
        } catch (RuntimeException e) {
            // an edited detail that no longer parses: the chain walk reports the row as altered
            return Map.of();
        }
    }

    private static long number(String v, long otherwise) {
        try {
            return v == null ? otherwise : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
