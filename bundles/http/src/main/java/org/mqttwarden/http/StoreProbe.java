package org.mqttwarden.http;

import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.mqttwarden.api.store.WardenDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the store whether it answers, on a thread of its own: a store that hangs holds that thread,
 * never a decision thread nor an IO thread. Callers asking while a check runs share its answer, so a
 * hung store costs one thread however often {@code /health} is asked.
 */
final class StoreProbe {

    private static final Logger LOG = LoggerFactory.getLogger(StoreProbe.class);

    private final WardenDatabase database;
    private final ExecutorService thread;
    private final AtomicReference<CompletableFuture<Boolean>> current = new AtomicReference<>();

    StoreProbe(WardenDatabase database) {
        this.database = database;
        this.thread = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "warden-http-health");
            t.setDaemon(true);
            return t;
        });
    }

    /** @return completes with whether the store answered; never completes exceptionally */
    CompletableFuture<Boolean> check() {
        while (true) {
            CompletableFuture<Boolean> running = current.get();
            if (running != null && !running.isDone()) {
                return running;
            }
            CompletableFuture<Boolean> next = new CompletableFuture<>();
            if (current.compareAndSet(running, next)) {
                try {
                    thread.execute(() -> next.complete(reachable()));
                } catch (RejectedExecutionException e) {
                    next.complete(false);
                }
                return next;
            }
        }
    }

    private boolean reachable() {
        try (Connection c = database.dataSource().getConnection()) {
            return c.isValid(2);
        } catch (Exception e) {
            LOG.warn("Health check: the store is unreachable: {}", e.toString());
            return false;
        }
    }

    void shutdown() {
        thread.shutdownNow();
    }
}
