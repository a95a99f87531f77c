package org.mqttwarden.broker.command;

import java.nio.file.Path;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
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
@Command(scope = "warden", name = "broker-client-cert", description = "Issues a TLS client certificate from the"
        + " broker CA of warden:broker-init: PEM certificate and key, and a PKCS#12 file whose generated password"
        + " is in a file beside it (all private files rw-------).")
public class BrokerClientCertCommand implements Action {

    @Reference
    SetupService setup;

    @Reference
    EventPublisher events;

    @Reference
    Session session;

    @Completion(BrokerClientCompleter.class)
    @Argument(index = 0, name = "name", required = true, description = "The client's name: its certificate's"
            + " common name and its files' names (letters, digits, '.', '_', '-')")
    String name;

    @Option(name = "--force", description = "Replace this client's existing files")
    boolean force;

    @Override
    public Object execute() throws Exception {
        Object user = session.get("USER");
        BrokerSetup.Result result;
        try {
            result = SetupAudit.audited(events, AdminChange.BROKER_CLIENT_CERT,
                    "shell:" + (user == null ? "unknown" : user),
                    Map.of("client", org.mqttwarden.api.text.Printable.escape(name), "force", String.valueOf(force)),
                    () -> setup.clientCert(name, force));
        } catch (SetupException e) {
            throw new CommandException(e.getMessage());
        }
        for (Path p : result.written()) {
            session.getConsole().println("Wrote " + p);
        }
        for (String note : result.notes()) {
            session.getConsole().println(note);
        }
        return null;
    }
}
