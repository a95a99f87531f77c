package org.mqttwarden.alerts;

import java.time.Instant;
import java.util.List;

/** The alerts raised recently, for {@code warden:alert-list}. */
public interface AlertService {

    /**
     * @param since only alerts at or after this instant; {@code null} for all kept
     * @param limit at most this many, the newest ones
     * @return alerts raised since this component started (at most {@code alert.recent.max} are kept in
     *     memory; the audit log has them all, type ALERT), oldest first
     */
    List<Alert> recent(Instant since, int limit);
}
