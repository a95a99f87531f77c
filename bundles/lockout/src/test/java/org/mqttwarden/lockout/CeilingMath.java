package org.mqttwarden.lockout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Counting failures the way the ceiling is stated: in any 60 minutes. */
final class CeilingMath {

    static final long HOUR = 3_600_000L;

    private CeilingMath() {
    }

    /** @return the most of {@code times} (epoch ms) falling in any half-open 60-minute interval */
    static int maxInAnyHour(List<Long> times) {
        List<Long> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        int best = 0;
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (sorted.get(to) - sorted.get(from) >= HOUR) {
                from++;
            }
            best = Math.max(best, to - from + 1);
        }
        return best;
    }
}
