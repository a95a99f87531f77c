package org.mqttwarden.auth;

import java.util.Optional;

import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.SecurityEvent;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The gateway's one {@link EventPublisher}: every event of every bundle (decisions and admin changes here,
 * locks in warden-lockout, alerts in warden-alerts, OTP next) reaches the {@link EventSink} whiteboard through
 * it, each sink bound once. The bound on waiting is {@code event.wait.ms} of {@code org.mqttwarden.auth}.
 */
@Component(service = EventPublisher.class, configurationPid = "org.mqttwarden.auth")
public final class SecurityEvents implements EventPublisher {

    private final EventDispatcher dispatcher;

    @Activate
    public SecurityEvents(AuthConfig config) {
        this.dispatcher = new EventDispatcher(config.event_wait_ms());
    }

    @Modified
    void modified(AuthConfig config) {
        dispatcher.waitMillis(config.event_wait_ms());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addSink(EventSink sink) {
        dispatcher.add(sink);
    }

    public void removeSink(EventSink sink) {
        dispatcher.remove(sink);
    }

    @Override
    public void publish(SecurityEvent event) {
        dispatcher.emit(event);
    }

    @Override
    public void offer(SecurityEvent event) {
        dispatcher.offer(event);
    }

    @Override
    public Optional<String> record(SecurityEvent event) {
        return Optional.ofNullable(dispatcher.record(event));
    }

    @Override
    public boolean active() {
        return dispatcher.active();
    }
}
