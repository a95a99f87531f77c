package org.mqttwarden.http;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of decision threads with its own queue, which knows how old the work it holds is.
 * Two lanes keep answers that cost no password hash from ever queueing behind those that do.
 *
 * <p>{@link #execute} never blocks: when the threads are busy and the queue is full it throws
 * {@link RejectedExecutionException}, and the caller answers 503 at once. {@link #stall} is cheap
 * enough for any thread (the IO thread answering {@code /health}) and never waits for the lane.
 */
final class Lane {

    private final String name;
    private final int threads;
    private final int queueSize;
    private final ThreadPoolExecutor executor;
    /** Work accepted and not yet finished, queued or running. */
    private final Set<Job> pending = ConcurrentHashMap.newKeySet();
    private volatile long lastFinished = System.nanoTime();

    /**
     * @param name the lane's name, in thread names and metric labels
     * @param threads how many decisions run at once
     * @param queueSize how many may wait for a thread
     */
    Lane(String name, int threads, int queueSize) {
        this.name = name;
        this.threads = threads;
        this.queueSize = queueSize;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueSize), r -> {
                    Thread t = new Thread(r, "warden-http-" + name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    String name() {
        return name;
    }

    int threads() {
        return threads;
    }

    int queueSize() {
        return queueSize;
    }

    /**
     * Runs the task on one of the lane's threads, or fails at once.
     *
     * @throws RejectedExecutionException when every thread is busy and the queue is full, or the lane
     *         is shut down; the task then never runs
     */
    void execute(Runnable task) {
        Job job = new Job(task, System.nanoTime());
        pending.add(job);
        try {
            executor.execute(job);
        } catch (RejectedExecutionException e) {
            pending.remove(job);
            throw e;
        }
    }

    /** @return decisions running now */
    int busy() {
        return executor.getActiveCount();
    }

    /** @return decisions waiting for a thread now */
    int queued() {
        return executor.getQueue().size();
    }

    /**
     * Says whether the lane has stopped making decisions. A lane is stalled when a decision has been
     * running for longer than {@code boundNanos} (its thread is stuck: go-auth gave up on the answer
     * long before), or when the oldest work it holds is older than that and nothing has finished
     * meanwhile (its threads are stuck or gone). A long queue that keeps moving is not a stall.
     *
     * @return why the lane is stalled, or {@code null} when it is not
     */
    String stall(long boundNanos) {
        long now = System.nanoTime();
        long oldestRunning = -1;
        long oldestHeld = -1;
        for (Job job : pending) {
            long started = job.started;
            if (started != 0) {
                oldestRunning = Math.max(oldestRunning, now - started);
            }
            oldestHeld = Math.max(oldestHeld, now - job.queued);
        }
        if (oldestRunning > boundNanos) {
            return name + " lane: a decision has been running for " + millis(oldestRunning) + " ms";
        }
        long sinceFinished = now - lastFinished;
        if (oldestHeld > boundNanos && sinceFinished > boundNanos) {
            return name + " lane: " + pending.size() + " decisions held, the oldest for " + millis(oldestHeld)
                    + " ms, none finished for " + millis(sinceFinished) + " ms";
        }
        return null;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** Stops taking work; running decisions get {@code waitMillis} to finish, then are interrupted. */
    void shutdown(long waitMillis) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** A task with the times it was accepted and started. */
    private final class Job implements Runnable {

        private final Runnable task;
        private final long queued;
        /** 0 until the task starts. */
        private volatile long started;

        Job(Runnable task, long queued) {
            this.task = task;
            this.queued = queued;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            started = now == 0 ? 1 : now;
            try {
                task.run();
            } finally {
                pending.remove(this);
                lastFinished = System.nanoTime();
            }
        }
    }
}
