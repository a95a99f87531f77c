package org.mqttwarden.api.event;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service receiving every security event (audit log, alerting).
 *
 * <p>{@link #accept} must not block. The returned stage completes when the sink has done what it
 * promises for the event (e.g. committed it to disk); for {@link SecurityEvent#securityRelevant()
 * security-relevant} events the decision path waits for it, bounded, before answering. Sinks that
 * promise nothing return a completed stage.
 */
@ConsumerType
public interface EventSink {

    CompletionStage<Void> accept(SecurityEvent event);
}
