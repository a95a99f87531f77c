package org.mqttwarden.broker.command;

import java.time.Clock;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.broker.run.BrokerAudit;
import org.mqttwarden.broker.run.BrokerRefusedException;
import org.mqttwarden.broker.run.ManagedBroker;

@Service
@Command(scope = "warden", name = "broker-start", description = "Starts Mosquitto with the configuration in the"
        + " broker folder (warden:broker-init writes it) as a child of the gateway: restarted with back-off when it"
        + " dies, stopped by warden:broker-stop and when the gateway stops. Refuses, saying why, a missing"
        + " configuration, binary or plugin, a port in use, and critical lint findings unless --force.")
public class BrokerStartCommand implements Action {

    @Reference
    ManagedBroker broker;

    @Reference
    EventPublisher events;

    @Reference
    Session session;

    @Option(name = "--force", description = "Start despite critical lint findings (warden:broker-lint shows them);"
            + " never despite a missing binary or plugin or a port in use")
    boolean force;

    @Override
    public Object execute() throws Exception {
        session.getConsole().println(start(broker, events, actor(session), force));
        return null;
    }

    /**
     * Starts the broker, recorded in the audit log first ({@code broker.start}, with the configuration file and
     * whether forced).
     *
     * @return the line printed
     * @throws CommandException the refusal, one sentence; nothing was started
     */
    static String start(ManagedBroker broker, EventPublisher events, String actor, boolean force)
            throws CommandException {
        String conf = broker.paths().mosquittoConf().toString();
        try {
            long pid = broker.start(force, BrokerAudit.recording(events, Clock.systemUTC(), AdminChange.BROKER_START,
                    actor, Map.of("config", conf, "force", Boolean.toString(force))));
            return "Started Mosquitto (pid " + pid + ") with " + Printable.escape(conf) + (force ? ", despite its"
                    + " critical lint findings" : "") + "; warden:broker-status shows whether it stays up.";
        } catch (BrokerRefusedException e) {
            throw new CommandException(e.getMessage());
        }
    }

    /** @return the shell user running the command, for the audit trail */
    static String actor(Session session) {
        Object user = session.get("USER");
        return "shell:" + (user == null ? "unknown" : user);
    }
}
