package org.mqttwarden.audit.command;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.event.EventType;

/** Completes audit event types. */
@Service
public class EventTypeCompleter implements Completer {

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        for (EventType t : EventType.values()) {
            delegate.getStrings().add(t.name());
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
