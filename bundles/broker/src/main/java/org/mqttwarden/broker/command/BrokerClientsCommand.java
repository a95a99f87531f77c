package org.mqttwarden.broker.command;

import java.util.Map;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.broker.watch.BrokerWatch;

/**
 * {@code warden:broker-clients}: the clients the broker's log shows connected now, with the address each came from,
 * which is what the client address resolver answers for them (audit rows, alerts, per-address throttling). A
 * viewer's command: it changes nothing. Client ids are the clients' own text, so they are escaped.
 */
@Service
@Command(scope = "warden", name = "broker-clients", description = "Lists the MQTT clients the broker's log shows"
        + " connected, with the address each connected from")
public class BrokerClientsCommand implements Action {

    @Reference
    BrokerWatch watch;

    @Reference
    Session session;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    public Object execute() {
        Map<String, String> clients = new TreeMap<>(watch.connectedClients());
        if (clients.isEmpty()) {
            session.getConsole().println("No client is connected as far as the broker's log tells (or watch.enabled"
                    + " is false in org.mqttwarden.broker).");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Client id");
        table.column("Address");
        clients.forEach((id, address) -> table.addRow().addContent(Printable.escape(id), address));
        table.print(session.getConsole(), !noFormat);
        return null;
    }
}
