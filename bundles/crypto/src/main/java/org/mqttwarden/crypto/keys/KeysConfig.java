package org.mqttwarden.crypto.keys;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the gateway's envelope keys, PID {@code org.mqttwarden.crypto}. Applied live. */
@ObjectClassDefinition(name = "Warden payload encryption",
        description = "The gateway's envelope keys: how long a replaced key still opens messages")
public @interface KeysConfig {

    @AttributeDefinition(name = "Grace period", description = "Days a key replaced by warden:key-rotate still opens"
            + " messages (devices not yet given the new key keep working), 0 to 3650; afterwards its envelopes are"
            + " UNKNOWN_KEY and its material is erased at the next start or key change. Counted from each key's"
            + " rotation, also for keys rotated before a change; an erased key stays retired")
    int key_grace_days() default 7;
}
