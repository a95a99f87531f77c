package org.mqttwarden.broker.run;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The supervisor's restart delays, kept instead of waited: the test sees each delay asked for and runs the restart
 * when it wants, so back-off is asserted without a clock ticking.
 */
final class ManualScheduler implements Supervisor.Scheduler {

    record Pending(Duration delay, FutureTask<Void> task) {
    }

    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    final List<Duration> delays = new CopyOnWriteArrayList<>();

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
        FutureTask<Void> t = new FutureTask<>(task, null);
        delays.add(delay);
        queue.add(new Pending(delay, t));
        return t;
    }

    /** @return the next restart asked for, awaited up to 15 s (the broker must die first) */
    Pending next() throws InterruptedException {
        Pending p = queue.poll(15, TimeUnit.SECONDS);
        if (p == null) {
            throw new AssertionError("no restart was scheduled within 15 s; delays so far: " + delays);
        }
        return p;
    }

    /** Runs the next restart now, as if its delay had passed; @return its delay */
    Duration runNext() throws InterruptedException {
        Pending p = next();
        p.task().run();
        return p.delay();
    }
}
