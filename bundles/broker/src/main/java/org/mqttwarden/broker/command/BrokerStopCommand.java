package org.mqttwarden.broker.command;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.broker.run.BrokerAudit;
import org.mqttwarden.broker.run.BrokerRefusedException;
import org.mqttwarden.broker.run.ManagedBroker;

@Service
@Command(scope = "warden", name = "broker-stop", description = "Stops the managed Mosquitto (SIGTERM, SIGKILL if it"
        + " has not exited within 10 s) and its restarts, or a Mosquitto an earlier gateway left running from the"
        + " broker folder. Clients are disconnected.")
public class BrokerStopCommand implements Action {

    @Reference
    ManagedBroker broker;

    @Reference
    EventPublisher events;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        Object user = session.get("USER");
        session.getConsole().println(stop(broker, events, "shell:" + (user == null ? "unknown" : user)));
        return null;
    }

    /**
     * Stops the broker, recorded in the audit log first ({@code broker.stop}) when something runs.
     *
     * @return the line printed
     * @throws CommandException when the stop could not be recorded; nothing was stopped
     */
    static String stop(ManagedBroker broker, EventPublisher events, String actor) throws CommandException,
            InterruptedException {
        Optional<ManagedBroker.Stopped> stopped;
        try {
            stopped = broker.stop(BrokerAudit.recording(events, Clock.systemUTC(), AdminChange.BROKER_STOP, actor,
                    Map.of("config", broker.paths().mosquittoConf().toString())));
        } catch (BrokerRefusedException e) {
            throw new CommandException(e.getMessage());
        }
        if (stopped.isEmpty()) {
            return "No broker runs from " + broker.paths().dir() + "; nothing to stop.";
        }
        ManagedBroker.Stopped s = stopped.get();
        if (s.pid() == 0) {
            return "Mosquitto was waiting to be restarted; it will not be.";
        }
        return "Stopped " + (s.leftOver() ? "the Mosquitto an earlier gateway left running" : "Mosquitto") + " (pid "
                + s.pid() + (s.killed() ? ", with SIGKILL: it ignored SIGTERM" : "") + ").";
    }
}
