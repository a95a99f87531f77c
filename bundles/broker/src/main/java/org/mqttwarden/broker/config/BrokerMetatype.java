package org.mqttwarden.broker.config;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Declares the metatype (names, descriptions, defaults) of PID {@code org.mqttwarden.broker} for Karaf's
 * {@code config:*} commands and consoles. It does nothing else: the components that read the PID also read
 * warden-http's ({@code org.mqttwarden.http}, for go-auth's options and the lint), and a component reading two PIDs
 * cannot carry the {@code @Designate} of one (bnd refuses it).
 */
@Component(service = {}, configurationPid = "org.mqttwarden.broker")
@Designate(ocd = BrokerConfig.class)
public final class BrokerMetatype {
}
