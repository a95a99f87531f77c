package org.mqttwarden.store.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.store.AccountStore;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.StoreDatabase;

/** {@code warden:store-status}: where the gateway's database is and how it is doing; never a secret. */
@Service
@Command(scope = "warden", name = "store-status", description = "Shows the gateway's database: backend (SQLite or"
        + " PostgreSQL), where it is (no user or password), the schema version of each bundle's tables, the"
        + " connection pool's use, the last connection error, the accounts' revision and how changes made elsewhere"
        + " are heard.")
public class StoreStatusCommand implements Action {

    @Reference
    WardenDatabase database;

    @Reference(optional = true)
    AccountStore accounts;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        if (!(database instanceof StoreDatabase store)) {
            throw new CommandException("The database service is not warden-store's (" + database.describe()
                    + "): it has no status to show.");
        }
        for (String line : store.status().lines()) {
            session.getConsole().println(line);
        }
        if (accounts != null) {
            session.getConsole().println("Revision:    " + accounts.revision());
            if (accounts instanceof JdbiAccountStore jdbi) {
                session.getConsole().println("Changes:     " + jdbi.changesHeard());
            }
        }
        return null;
    }
}
