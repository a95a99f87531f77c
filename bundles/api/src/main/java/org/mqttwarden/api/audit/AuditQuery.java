package org.mqttwarden.api.audit;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** Reads the audit log: searches, the latest rows, and a check of its tamper-evident chain. */
@ProviderType
public interface AuditQuery {

    /**
     * @return the rows matching every criterion of {@code filter}, newest first, at most its limit;
     *     empty when none match
     */
    List<AuditRecord> search(AuditFilter filter);

    /**
     * @param n how many rows, 1 or more (implementations may cap it)
     * @return the last {@code n} rows in the order they were written, oldest first
     */
    List<AuditRecord> tail(int n);

    /**
     * Walks the whole chain from its first row, recomputing every row's hash. After retention has
     * pruned old rows, the chain starts at the row the newest pruning record names.
     *
     * @return {@link VerifyResult#ok()} when every row is intact and no id is missing; otherwise
     *     the first row that was altered, inserted or deleted
     */
    VerifyResult verify();

    /**
     * The chain's head: the newest row's id and keyed hash. Copied where whoever can write the audit file
     * cannot reach (the Karaf log, an MQTT message), it lets a later {@code audit-verify --anchor} detect a
     * cut-off tail or a rewrite.
     *
     * @return the head; empty for an empty log, or an implementation that keeps no chain
     * @since 1.2
     */
    default java.util.Optional<ChainHead> chainHead() {
        return java.util.Optional.empty();
    }

    /**
     * A head of the audit chain.
     *
     * @param id the row's id
     * @param hash the row's hash, 64 hex digits
     * @since 1.2
     */
    record ChainHead(long id, String hash) {
    }

    /**
     * The outcome of {@link AuditQuery#verify()}.
     *
     * @param ok whether the chain is intact
     * @param rowsChecked how many rows were read
     * @param firstBadId the id of the first row altered or inserted, or the first id missing;
     *     {@code null} when {@code ok}
     * @param problem one sentence saying what is wrong; {@code null} when {@code ok}
     * @param firstId the id the walk started at: 1, or the first row kept by the last pruning
     * @since 1.1
     */
    record VerifyResult(boolean ok, long rowsChecked, Long firstBadId, String problem, long firstId) {

        /** A result for a chain starting at row 1. */
        public VerifyResult(boolean ok, long rowsChecked, Long firstBadId, String problem) {
            this(ok, rowsChecked, firstBadId, problem, 1);
        }

        /** @return an intact chain of {@code rows} rows from row 1 */
        public static VerifyResult intact(long rows) {
            return new VerifyResult(true, rows, null, null);
        }

        /**
         * @return an intact chain of {@code rows} rows from row {@code firstId}
         * @since 1.1
         */
        public static VerifyResult intact(long rows, long firstId) {
            return new VerifyResult(true, rows, null, null, firstId);
        }

        /** @return a broken chain, first broken at {@code id} */
        public static VerifyResult broken(long rowsChecked, long id, String problem) {
            return new VerifyResult(false, rowsChecked, id, problem);
        }
    }
}
