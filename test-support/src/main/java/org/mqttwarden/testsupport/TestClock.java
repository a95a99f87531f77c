package org.mqttwarden.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock the test moves by hand, for code that takes a {@link Clock}: time passes only when the test says
 * so, so a test of expiry, windows or rates neither waits nor depends on how fast the machine is.
 * Safe to read and move from several threads.
 */
public final class TestClock extends Clock {

    /** Where a clock starts unless told otherwise: a fixed working-day morning, UTC. */
    public static final Instant T0 = Instant.parse("2026-11-02T08:00:00Z");

    private final AtomicReference<Instant> now;

    /** A clock at {@link #T0}. */
    public TestClock() {
        this(T0);
    }

    /** A clock at {@code start}. */
    public TestClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** Sets the time; it may go backwards, as a real clock may after an NTP correction. */
    public void set(Instant t) {
        now.set(t);
    }

    /** Moves the time on by {@code d} (negative goes back). @return the new time */
    public Instant advance(Duration d) {
        return now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public long millis() {
        return now.get().toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public String toString() {
        return "TestClock[" + now.get() + "]";
    }
}
