package org.mqttwarden.auth;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The decision path's counters, shown on {@code /metrics} as {@code warden_engine_<name>_total}. Each is
 * counted where its event happens (a bcrypt run, a cache hit); reading them never blocks the counting.
 */
final class EngineCounters {

    final LongAdder aclCacheHits = new LongAdder();
    final LongAdder aclCacheMisses = new LongAdder();
    final LongAdder rememberedLogins = new LongAdder();
    final LongAdder bcryptVerifications = new LongAdder();
    final LongAdder fastVerifications = new LongAdder();
    final LongAdder rehashes = new LongAdder();
    final LongAdder indexBuilds = new LongAdder();

    /** @return every counter by name, as it stands now */
    Map<String, Long> values() {
        return Map.of("acl_cache_hits", aclCacheHits.sum(), "acl_cache_misses", aclCacheMisses.sum(),
                "remembered_logins", rememberedLogins.sum(), "bcrypt_verifications", bcryptVerifications.sum(),
                "fast_verifications", fastVerifications.sum(), "rehashes", rehashes.sum(),
                "acl_index_builds", indexBuilds.sum());
    }
}
