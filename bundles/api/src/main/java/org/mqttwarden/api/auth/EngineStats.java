package org.mqttwarden.api.auth;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** Counters of the decision engine, for {@code /metrics}: cache hits, bcrypt runs and the like. */
@ProviderType
public interface EngineStats {

    /**
     * @return monotonically increasing counters by name ({@code [a-z_]+}), e.g.
     *     {@code acl_cache_hits}, {@code bcrypt_verifications}
     */
    Map<String, Long> counters();
}
