package org.mqttwarden.broker.watch;

import org.mqttwarden.api.auth.ClientAddressResolver;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link ClientAddressResolver} of warden-broker: client addresses from the broker's log, as {@link BrokerWatch}
 * reads it. Present only while {@code watch.enabled} of PID {@code org.mqttwarden.broker} is not false (the
 * reference's target), so that with watching off the decision engine binds another resolver or none. What it can
 * tell and what it cannot, for the first {@code /user} of a connection in particular: {@link Connections}.
 */
@Component(service = ClientAddressResolver.class)
public final class LogAddressResolver implements ClientAddressResolver {

    private final BrokerWatch watch;

    @Activate
    public LogAddressResolver(@Reference(target = "(!(watch.enabled=false))") BrokerWatch watch) {
        this.watch = watch;
    }

    /** @return the address, from memory (no I/O), or null when the log does not tell it for sure */
    @Override
    public String addressOf(String clientId) {
        return watch.addressOf(clientId);
    }
}
