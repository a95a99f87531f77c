package org.mqttwarden.alerts;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, once per set of keys, that {@code alert.*} keys are still in {@code etc/org.mqttwarden.lockout.cfg},
 * where they were before warden-alerts had a PID of its own: they keep working (the detector reads both PIDs,
 * {@value AlertDetector#PID} winning where both set a key), and a WARN names them and the file to move them to.
 * Active only while the PID {@value #LOCKOUT_PID} has a configuration.
 */
@Component(service = {}, configurationPid = MovedAlertKeys.LOCKOUT_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class MovedAlertKeys {

    /** Where the {@code alert.*} keys were before: warden-lockout's PID. */
    static final String LOCKOUT_PID = "org.mqttwarden.lockout";

    private static final Logger LOG = LoggerFactory.getLogger(MovedAlertKeys.class);

    private Set<String> warned = Set.of();

    @Activate
    public MovedAlertKeys(Map<String, Object> properties) {
        modified(properties);
    }

    /** Warns when the {@code alert.*} keys in the lockout PID are not those already warned about. */
    @Modified
    synchronized void modified(Map<String, Object> properties) {
        Set<String> keys = moved(properties);
        if (!keys.isEmpty() && !keys.equals(warned)) {
            LOG.warn("Alert settings {} are in etc/{}.cfg, where they no longer belong: move them to etc/{}.cfg"
                    + " (PID {}). Until then they still apply, except where etc/{}.cfg sets the same key.",
                    String.join(", ", keys), LOCKOUT_PID, AlertDetector.PID, AlertDetector.PID, AlertDetector.PID);
        }
        warned = keys;
    }

    /** @return the {@code alert.*} keys among {@code properties}, sorted */
    static Set<String> moved(Map<String, Object> properties) {
        Set<String> keys = new TreeSet<>();
        for (String k : properties.keySet()) {
            if (k.startsWith("alert.")) {
                keys.add(k);
            }
        }
        return keys;
    }
}
