package org.mqttwarden.alerts;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Declares the metatype (names, descriptions, defaults) of PID {@value AlertDetector#PID} for Karaf's
 * {@code config:*} commands and consoles. It does nothing else: {@link AlertDetector} reads that PID merged
 * over {@code org.mqttwarden.lockout} (where the keys were before), and a component reading two PIDs cannot
 * carry the {@code @Designate} of one (bnd refuses it).
 */
@Component(service = {}, configurationPid = AlertDetector.PID)
@Designate(ocd = AlertDetector.Config.class)
public final class AlertsMetatype {
}
