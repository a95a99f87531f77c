package org.mqttwarden.broker.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What {@code warden:broker-status} shows about the managed broker at one moment.
 *
 * @param state what it is doing
 * @param pid its process id while it runs (or the left-over broker's)
 * @param since when the running process started (or the left-over one)
 * @param restarts how many times it was restarted after dying since warden:broker-start (or the gateway) started it
 * @param lastExit the exit code of the last run that ended; empty before any ended (or when it was killed by a
 *     signal Java reports as 128 + the signal number)
 * @param nextRestart when it is started again, in state {@link State#RESTARTING}
 * @param lastOutput the last lines the run that last died printed (standard output and error), oldest first; kept
 *     after it was restarted, so that the reason of a restart stays visible; empty when none died since the start
 * @param lastLog the last lines of the broker's log file when it last died, likewise
 * @param refusal why the last start (by the shell or the gateway) was refused, if it was
 * @param lint the configuration's lint summary
 */
public record BrokerStatus(State state, OptionalLong pid, Optional<Instant> since, int restarts, OptionalInt lastExit,
        Optional<Instant> nextRestart, List<String> lastOutput, List<String> lastLog, Optional<String> refusal,
        String lint) {

    /** What the managed broker is doing. */
    public enum State {
        /** Not started, or stopped. */
        STOPPED,
        /** Its process runs. */
        RUNNING,
        /** It died and is started again after the back-off delay. */
        RESTARTING,
        /** Not ours: a broker an earlier gateway started from this folder still runs (see broker-stop). */
        LEFT_OVER
    }

    public BrokerStatus {
        Objects.requireNonNull(state, "state");
        lastOutput = List.copyOf(lastOutput);
        lastLog = List.copyOf(lastLog);
        Objects.requireNonNull(lint, "lint");
    }

    /** @return how long the running process has been up at {@code now} */
    public Optional<Duration> uptime(Instant now) {
        return since.map(s -> Duration.between(s, now));
    }
}
