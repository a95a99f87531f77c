package org.mqttwarden.auth;

/**
 * How many entries the decision engine's caches may hold, from the heap the JVM may use: together
 * they stay within about a third of it, so 100 000 accounts do not run the gateway's 128 MiB heap out of
 * memory (entry sizes measured with {@code ScaleRun --histogram}, BENCHMARKS.md section 11, plus what a
 * Caffeine entry adds: ~40 bytes, ~56 with expiry, from {@code ScaleRun --accounts 10000}, 1 769 -> 1 931
 * bytes per account for four entries). A full cache (Caffeine's size bound) drops some entries; what it
 * dropped is read from the store again when asked.
 *
 * @param accounts cached accounts, and as many accounts' own rule tries (about 1.2 KiB per account)
 * @param decisions cached ACL decisions (about 290 bytes each)
 * @param verified remembered verifications (about 356 bytes each)
 */
record CacheBounds(int accounts, int decisions, int verified) {

    static final CacheBounds FOR_THIS_JVM = forHeap(Runtime.getRuntime().maxMemory());

    static CacheBounds forHeap(long maxHeapBytes) {
        long tenth = maxHeapBytes / 10;
        return new CacheBounds(bound(tenth / 1180, 1_000, 50_000), bound(tenth / 290, 10_000, 200_000),
                bound(tenth / 356, 10_000, 100_000));
    }

    private static int bound(long n, int min, int max) {
        return (int) Math.max(min, Math.min(max, n));
    }
}
