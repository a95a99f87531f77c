package org.mqttwarden.alerts;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert thread ({@code warden-alerts}) and its bounded inbox: tasks handed over from the decision path
 * ({@link #submit}, never blocking) run in batches, in order, at most every {@value #BATCH_DELAY_MS} ms, so a
 * busy gateway wakes the thread a few dozen times a second, not once per login (a context switch a login would
 * pay on a small gateway). A full inbox ({@value #MAX_PENDING} tasks) drops the task and counts it. Timers
 * ({@link #every}) run on the same thread.
 */
final class JudgeQueue implements AutoCloseable {

    static final long BATCH_DELAY_MS = 20;
    static final int MAX_PENDING = 8192;

    private static final Logger LOG = LoggerFactory.getLogger(JudgeQueue.class);

    private final ScheduledThreadPoolExecutor worker;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean batchScheduled = new AtomicBoolean();
    /** Tasks queued or running: a task counts until it has run, so 0 means everything handed over is done. */
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder errors = new LongAdder();

    JudgeQueue() {
        this.worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "warden-alerts");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code task} on the alert thread every {@code periodSeconds}, first after {@code delaySeconds}. */
    void every(Runnable task, long delaySeconds, long periodSeconds) {
        worker.scheduleWithFixedDelay(task, delaySeconds, periodSeconds, TimeUnit.SECONDS);
    }

    /** Queues {@code task} for the alert thread; never blocks. A full inbox, or a closed queue, drops it. */
    void submit(Runnable task) {
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            dropped.increment();
            return;
        }
        inbox.add(task);
        if (batchScheduled.compareAndSet(false, true)) {
            try {
                worker.schedule(this::runBatch, BATCH_DELAY_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                batchScheduled.set(false);
                int lost = 0;
                while (inbox.poll() != null) {
                    lost++;
                }
                pending.addAndGet(-lost);
                dropped.add(lost);
            }
        }
    }

    /** On the alert thread: runs every queued task, in order. */
    private void runBatch() {
        // cleared first: a task queued from now on schedules the next batch
        batchScheduled.set(false);
        Runnable task;
        while ((task = inbox.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                errors.increment();
                LOG.warn("Alert detection failed: {}", e.toString());
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    /** @return tasks handed over and not yet run to their end (queued, or running now) */
    int depth() {
        return pending.get();
    }

    /** @return tasks dropped because the inbox was full or the queue closed */
    long dropped() {
        return dropped.sum();
    }

    /** @return tasks that failed with an exception (logged) */
    long errors() {
        return errors.sum();
    }

    /** Counts a failure of work done on the alert thread outside {@link #submit} (timers). */
    void error() {
        errors.increment();
    }

    /** Lets the queued tasks run, up to 5 s, then stops the thread. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
