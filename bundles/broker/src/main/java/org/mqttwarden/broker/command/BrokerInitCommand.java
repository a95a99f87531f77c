package org.mqttwarden.broker.command;

import java.nio.file.Path;
import java.util.List;
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
import org.mqttwarden.broker.setup.BrokerSetup;
import org.mqttwarden.broker.setup.SetupAudit;
import org.mqttwarden.broker.setup.SetupException;
import org.mqttwarden.broker.setup.SetupService;

@Service
@Command(scope = "warden", name = "broker-init", description = "Writes a complete, secure Mosquitto setup: a CA and"
        + " a server certificate, mosquitto.conf (TLS on 8883, no anonymous access) and go-auth's options for this"
        + " gateway. Never overwrites without --force.")
public class BrokerInitCommand implements Action {

    @Reference
    SetupService setup;

    @Reference
    EventPublisher events;

    @Reference
    Session session;

    @Option(name = "--dir", description = "The broker folder; default broker.dir of org.mqttwarden.broker (a"
            + " relative path is in the gateway's folder)")
    String dir;

    @Option(name = "--host", multiValued = true, description = "A DNS name for the server certificate (repeatable);"
            + " with no --host and no --ip: this host's name, localhost and 127.0.0.1")
    List<String> hosts;

    @Option(name = "--ip", multiValued = true, description = "An IP address for the server certificate (repeatable)")
    List<String> addresses;

    @Option(name = "--plain-port", description = "Also a plain-MQTT listener on 127.0.0.1 at this port, for local"
            + " tools")
    Integer plainPort;

    @Option(name = "--require-certificate", description = "Clients need a certificate of the broker CA"
            + " (warden:broker-client-cert) besides their Warden password")
    boolean requireCertificate;

    @Option(name = "--force", description = "Replace an existing setup as a whole, CA included")
    boolean force;

    @Override
    public Object execute() throws Exception {
        Path folder = setup.layout(dir).dir();
        Object user = session.get("USER");
        BrokerSetup.Result result;
        try {
            result = SetupAudit.audited(events, AdminChange.BROKER_INIT, "shell:" + (user == null ? "unknown" : user),
                    Map.of("dir", folder.toString(), "force", String.valueOf(force)),
                    () -> setup.init(dir, hosts, addresses, plainPort, requireCertificate, force));
        } catch (SetupException e) {
            throw new CommandException(e.getMessage());
        }
        for (Path p : result.written()) {
            session.getConsole().println("Wrote " + p);
        }
        for (String note : result.notes()) {
            session.getConsole().println(note);
        }
        if (!folder.equals(setup.configuredDir())) {
            session.getConsole().println("The managed broker uses broker.dir (" + setup.configuredDir() + "): set"
                    + " broker.dir in org.mqttwarden.broker to " + folder + " to use this setup.");
        }
        return null;
    }
}
