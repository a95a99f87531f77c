package org.mqttwarden.lockout.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.text.Printable;
import org.mqttwarden.lockout.LockoutService;
import org.mqttwarden.lockout.SourceKey;

@Service
@Command(scope = "warden", name = "lockout-clear", description = "Clears the lock and failure counts of an"
        + " account, or of a source (--source client:<id> or addr:<ip>).")
public class LockoutClearCommand implements Action {

    @Reference
    LockoutService lockouts;

    @Reference
    Session session;

    @Option(name = "--source", description = "The source to clear: client:<client id> or addr:<ip address>")
    @Completion(LockedCompleter.class)
    String source;

    @Argument(index = 0, name = "username", required = false, description = "The MQTT username to clear")
    @Completion(LockedCompleter.class)
    String username;

    @Override
    public Object execute() throws Exception {
        session.getConsole().println(clear(lockouts, username, source, actor(session)));
        return null;
    }

    /** @return the line to print; throws {@link CommandException} for wrong input */
    static String clear(LockoutService lockouts, String username, String source, String actor)
            throws CommandException {
        if ((username == null) == (source == null)) {
            throw new CommandException("Give either a username or --source client:<id> | addr:<ip>.");
        }
        if (source != null) {
            SourceKey key = SourceKey.parse(source);
            if (key == null) {
                throw new CommandException("A source is client:<client id> or addr:<ip address>, not '"
                        + Printable.escape(source) + "'.");
            }
            String shown = Printable.escape(key.toString());
            return lockouts.clearSource(key, actor) ? "Source " + shown + " cleared"
                    : "Source " + shown + " has no lock or failures; nothing to clear";
        }
        String shown = Printable.escape(username);
        return lockouts.clearAccount(username, actor, "admin") ? "Account " + shown + " cleared"
                : "Account " + shown + " has no lock or failures; nothing to clear";
    }

    /** @return the shell user running the command, for the audit trail */
    static String actor(Session session) {
        Object user = session.get("USER");
        return "shell:" + (user == null ? "unknown" : user);
    }
}
