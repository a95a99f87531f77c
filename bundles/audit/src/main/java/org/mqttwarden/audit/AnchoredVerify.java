package org.mqttwarden.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.mqttwarden.api.audit.AuditQuery;
import org.mqttwarden.api.audit.AuditQuery.VerifyResult;

/**
 * {@code audit-verify} with anchors, for the shell commands of this bundle: {@link AuditQuery#verify()}
 * has no way to take them yet (an API change for the lead), so this reaches this bundle's own
 * {@link AuditLog}.
 */
public final class AnchoredVerify {

    private AnchoredVerify() {
    }

    /**
     * @param anchors {@code <id>:<64 hex>} each, as the log's anchor lines give them
     * @param logs log files to read {@value AuditWriter#ANCHOR_LOG} lines from (e.g. {@code data/log/karaf.log})
     * @return the chain's verification against every anchor given or found; the plain
     *     {@link AuditQuery#verify()} when there are none
     * @throws IllegalArgumentException when an anchor is malformed, or anchors are given to an audit
     *     log that is not this bundle's
     * @throws IOException when a log file cannot be read
     */
    public static VerifyResult verify(AuditQuery audit, List<String> anchors, List<Path> logs) throws IOException {
        List<AuditChain.Anchor> all = new ArrayList<>();
        for (String a : anchors) {
            all.add(AuditChain.Anchor.parse(a));
        }
        for (Path log : logs) {
            all.addAll(AuditChain.Anchor.parseLog(log));
        }
        if (all.isEmpty()) {
            return audit.verify();
        }
        if (!(audit instanceof AuditLog log)) {
            throw new IllegalArgumentException("This audit log cannot check anchors.");
        }
        return log.verify(all);
    }

    /** @return how many anchors {@code logs} hold */
    public static int count(List<Path> logs) throws IOException {
        int n = 0;
        for (Path log : logs) {
            n += AuditChain.Anchor.parseLog(log).size();
        }
        return n;
    }
}
