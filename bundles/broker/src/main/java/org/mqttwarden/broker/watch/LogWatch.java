package org.mqttwarden.broker.watch;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.function.Consumer;

import org.mqttwarden.api.event.SecurityEvent;

/**
 * The broker's log as a sensor, without OSGi: a {@link LogFollower} on the log file feeds each line through the
 * {@link LogParser} into the {@link Connections} (the client address resolver) and the {@link LogSensors} (flood
 * and protocol-error events). Lines are handled on the follower's one thread, in the order written.
 */
final class LogWatch implements AutoCloseable, LogFollower.Listener {

    private final LogParser parser;
    private final Connections connections;
    private final Clock clock;
    private final Consumer<SecurityEvent> events;
    private volatile LogSensors sensors;
    private final Path log;
    private LogFollower follower;

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
