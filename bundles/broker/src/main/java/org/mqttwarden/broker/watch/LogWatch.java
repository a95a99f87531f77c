package org.mqttwarden.broker.watch;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.mqttwarden.api.auth.ClientAddressResolver;
import org.mqttwarden.api.event.SecurityEvent;

/**
 * The broker's log as a sensor, without OSGi: a {@link LogFollower} on the log file feeds each line through the
 * {@link LogParser} into the {@link Connections} (the client address resolver) and the {@link LogSensors} (flood
 * and protocol-error events). Lines are handled on the follower's one thread, in the order written.
 */
final class LogWatch implements AutoCloseable, LogFollower.Listener, ClientAddressResolver {

    /** How long {@link #addressOf} waits at most for the follower's thread to finish a read it is making. */
    static final long CATCH_UP_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final LogParser parser;
    private final Connections connections;
    private final Clock clock;
    private final Consumer<SecurityEvent> events;
    private volatile LogSensors sensors;
    private final Path log;
    private volatile LogFollower follower;

    LogWatch(Path log, Clock clock, LogSensors.Thresholds thresholds, Consumer<SecurityEvent> events, ZoneId zone) {
        this.log = log;
        this.parser = new LogParser(zone);
        this.connections = new Connections(clock);
        this.clock = clock;
        this.events = events;
        this.sensors = new LogSensors(clock, thresholds, events);
    }

    /** @return the log file followed */
    Path log() {
        return log;
    }

    /**
     * New thresholds, applied from the next line: the counts so far start again (an event raised before is
     * counted on in {@link LogSensors#raised} of the old sensors, which the caller carries), the connections stay.
     */
    void thresholds(LogSensors.Thresholds thresholds) {
        sensors = new LogSensors(clock, thresholds, events);
    }

    /** Starts following the log (from its end, when it exists). @return this */
    synchronized LogWatch start() {
        if (follower == null) {
            follower = LogFollower.start(log, this, "warden-broker-log");
        }
        return this;
    }

    @Override
    public synchronized void close() {
        if (follower != null) {
            follower.close();
            follower = null;
        }
        connections.clear();
    }

    /**
     * The resolver as the decision path asks it. A client id the log already tied to a connection is answered from
     * memory. Otherwise this is a connection's first {@code /user}: Mosquitto wrote and flushed the connection's
     * "New connection" line before it called go-auth, but the follower's thread may not have read it yet (it wakes
     * on a file notification, and go-auth's call reaches Warden within a millisecond). So the newest bytes of the log
     * are read first, on this thread (at most 64 KiB, waiting at most 1 ms for the follower's thread), and the
     * pending connections are then exactly those the broker had accepted and not yet settled when it called.
     * Measured without this read (FirstLoginAddressTest, firmware-like clients one at a time): the address was known
     * for 20 to 52 % of first logins and, when the follower lagged two lines, wrong for up to 3 of 40.
     */
    @Override
    public String addressOf(String clientId) {
        LogFollower f = follower;
        if (f != null && clientId != null && !clientId.isEmpty() && !connections.knows(clientId)) {
            f.catchUp(CATCH_UP_WAIT_NANOS);
        }
        return connections.addressOf(clientId);
    }

    Connections connections() {
        return connections;
    }

    /** @return the follower's counters, or null before start */
    synchronized LogFollower follower() {
        return follower;
    }

    LogSensors sensors() {
        return sensors;
    }

    @Override
    public void line(String text) {
        LogLine line = parser.parse(text);
        if (line != null) {
            sensors.count(line, connections.apply(line));
        }
    }

    /** Lines were lost: which connections are pending can no longer be told from the order of the lines. */
    @Override
    public void skipped() {
        connections.resetPending();
    }
}
