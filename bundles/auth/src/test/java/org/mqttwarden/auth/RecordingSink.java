package org.mqttwarden.auth;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.SecurityEvent;

/** An event sink that keeps what it is given. It stands for a sink, not for a component we ship. */
final class RecordingSink implements EventSink {

    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Void> accept(SecurityEvent event) {
        events.add(event);
        return CompletableFuture.completedFuture(null);
    }
}
