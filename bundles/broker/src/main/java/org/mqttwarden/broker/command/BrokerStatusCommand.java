package org.mqttwarden.broker.command;

import java.time.Duration;
import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.broker.run.BrokerStatus;
import org.mqttwarden.broker.run.ManagedBroker;

@Service
@Command(scope = "warden", name = "broker-status", description = "Shows the managed Mosquitto: running or not, pid,"
        + " since when, restarts, the last exit code and, when it died, the last lines it printed and logged; and"
        + " the lint summary of its configuration.")
public class BrokerStatusCommand implements Action {

    @Reference
    ManagedBroker broker;

    @Reference
    Session session;

    @Override
    public Object execute() {
        session.getConsole().print(format(broker.status(), Instant.now()));
        return null;
    }

    /** @return the status as printed, one fact a line; broker output escaped (it may hold anything) */
    static String format(BrokerStatus s, Instant now) {
        StringBuilder out = new StringBuilder();
        String state = switch (s.state()) {
            case RUNNING -> "running";
            case STOPPED -> "stopped";
            case RESTARTING -> "restarting after it died";
            case LEFT_OVER -> "running, not supervised: left by an earlier gateway (warden:broker-stop stops it)";
        };
        out.append("Broker:        ").append(state).append('\n');
        s.pid().ifPresent(p -> out.append("Pid:           ").append(p).append('\n'));
        s.since().ifPresent(t -> out.append("Since:         ").append(t).append(" (up ")
                .append(human(Duration.between(t, now))).append(")\n"));
        if (s.state() != BrokerStatus.State.LEFT_OVER) {
            out.append("Restarts:      ").append(s.restarts()).append('\n');
        }
        s.lastExit().ifPresent(c -> out.append("Last exit:     ").append(c).append(c > 128 && c < 160
                ? " (killed by signal " + (c - 128) + ")" : "").append('\n'));
        s.nextRestart().ifPresent(t -> out.append("Next start:    ").append(t).append('\n'));
        s.refusal().ifPresent(r -> out.append("Last refusal:  ").append(Printable.escape(r)).append('\n'));
        out.append("Configuration: ").append(s.lint()).append('\n');
        if (!s.lastOutput().isEmpty()) {
            out.append("Last output of the broker when it died:\n");
            s.lastOutput().forEach(l -> out.append("  ").append(Printable.escape(l)).append('\n'));
        }
        if (!s.lastLog().isEmpty()) {
            out.append("Last lines of its log when it died:\n");
            s.lastLog().forEach(l -> out.append("  ").append(Printable.escape(l)).append('\n'));
        }
        return out.toString();
    }

    private static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s < 172800 ? s / 3600 + " h" : s / 86400 + " d";
    }
}
