package org.mqttwarden.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * An audit sink whose disk has stopped answering: it never confirms a security-relevant event until
 * released, so every denial holds its decision thread for the engine's whole {@code event.wait.ms},
 * as a hung audit would. Allows (which the engine does not wait for) pass at once.
 */
final class HeldAudit implements EventSink {

    private final CompletableFuture<Void> release = new CompletableFuture<>();
    private final AtomicInteger held = new AtomicInteger();

    @Override
    public CompletionStage<Void> accept(SecurityEvent event) {
        if (!event.securityRelevant()) {
            return CompletableFuture.completedFuture(null);
        }
        held.incrementAndGet();
        return release;
    }

    /** @return security-relevant events received so far (each one a decision that waited or waits) */
    int held() {
        return held.get();
    }

    /** Confirms every event, past and future: the held decisions finish. */
    void release() {
        release.complete(null);
    }
}
