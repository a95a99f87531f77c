package org.mqttwarden.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.xnio.XnioExecutor;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;

/**
 * {@code GET /health}: 200 only once the gateway is ready and while decisions can be made. Runs on
 * the IO thread and never waits for a decision thread, so it answers when every lane is stuck: first
 * the lanes (cheap, no waiting), then the gateway's readiness as last found by its own thread
 * ({@link Readiness}: 503 {@code STARTING} with what it waits for, or {@code DOWN} with what failed),
 * then the store through a {@link StoreProbe} on its own thread, awaited without blocking for at
 * most {@link #STORE_WAIT_MS}.
 */
final class Health implements HttpHandler {

    /** Longest wait for the store's answer; a store slower than go-auth's own timeout is as good as down. */
    static final long STORE_WAIT_MS = 2000;

    private final List<Lane> lanes;
    private final long stallNanos;
    private final StoreProbe store;
    private final Readiness readiness;

    Health(List<Lane> lanes, long stallMillis, StoreProbe store, Readiness readiness) {
        this.lanes = List.copyOf(lanes);
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
        this.store = store;
        this.readiness = readiness;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        for (Lane lane : lanes) {
            String stall = lane.stall(stallNanos);
            if (stall != null) {
                // the reason is the gateway's own text; quoted by jackson-core all the same, as every JSON string here
                send(exchange, "{\"status\":\"DOWN\",\"decisions\":\"stalled\",\"reason\":\""
                        + new String(JsonStringEncoder.getInstance().quoteAsString(stall)) + "\"}");
                return;
            }
        }
        Optional<NotReady> notReady = readiness.now();
        if (notReady.isPresent()) {
            send(exchange, notReady.get().json());
            return;
        }
        CompletableFuture<Boolean> probe = store.check();
        if (probe.isDone()) {
            answer(exchange, probe.join());
            return;
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
            AtomicBoolean answered = new AtomicBoolean();
            XnioExecutor.Key timeout = exchange.getIoThread().executeAfter(() -> {
                if (answered.compareAndSet(false, true)) {
                    send(exchange, "{\"status\":\"DOWN\",\"store\":\"not answering\"}");
                }
            }, STORE_WAIT_MS, TimeUnit.MILLISECONDS);
            probe.thenAccept(up -> exchange.getIoThread().execute(() -> {
                if (answered.compareAndSet(false, true)) {
                    timeout.remove();
                    answer(exchange, up);
                }
            }));
        });
    }

    private static void answer(HttpServerExchange exchange, boolean storeUp) {
        send(exchange, storeUp ? "{\"status\":\"UP\",\"store\":\"reachable\"}"
                : "{\"status\":\"DOWN\",\"store\":\"unreachable\"}");
    }

    private static void send(HttpServerExchange exchange, String json) {
        exchange.setStatusCode(json.startsWith("{\"status\":\"UP\"") ? 200 : 503);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(json, StandardCharsets.UTF_8);
    }
}
