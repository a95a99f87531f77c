package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CacheBoundsTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void theGatewaysHeapKeepsItsCachesWithinAboutAThirdOfIt() {
        CacheBounds b = CacheBounds.forHeap(128 * MIB);
        long bytes = b.accounts() * 1180L + b.decisions() * 290L + b.verified() * 356L;
        assertThat(bytes).isLessThanOrEqualTo(128 * MIB * 31 / 100);
        assertThat(b.accounts()).isBetween(10_000, 13_000);
        assertThat(b.decisions()).isBetween(45_000, 50_000);
    }

    @Test
    void aLargeHeapIsCappedAndATinyOneStillCaches() {
        assertThat(CacheBounds.forHeap(64 * 1024 * MIB)).isEqualTo(new CacheBounds(50_000, 200_000, 100_000));
        assertThat(CacheBounds.forHeap(8 * MIB)).isEqualTo(new CacheBounds(1_000, 10_000, 10_000));
    }
}
