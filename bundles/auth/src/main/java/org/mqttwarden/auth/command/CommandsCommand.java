package org.mqttwarden.auth.command;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.mqttwarden.api.text.Printable;

/**
 * Lists the {@code warden:*} commands the shell has now, each with its one-line description, from the shell's
 * own registry (whatever Warden features are installed); {@code bin/warden --help} prints it. With
 * {@code --like}, the commands whose name is close to a misspelt one.
 */
@Service
@Command(scope = "warden", name = "commands", description = "Lists the warden commands with what each does.")
public class CommandsCommand implements Action {

    @Reference
    Session session;

    @Option(name = "--like", description = "Only the commands whose name is close to this one (for a typo)")
    String like;

    @Override
    public Object execute() {
        Map<String, String> commands = new TreeMap<>();
        for (org.apache.karaf.shell.api.console.Command c : session.getRegistry().getCommands()) {
            if ("warden".equals(c.getScope())) {
                commands.put(c.getName(), c.getDescription() == null ? "" : c.getDescription());
            }
        }
        if (like != null) {
            List<String> close = closest(like, commands.keySet());
            if (!close.isEmpty()) {
                session.getConsole().println("'" + Printable.escape(like) + "' is not a warden command; did you mean: "
                        + String.join(", ", close) + "?  (bin/warden --help lists them all)");
            }
            return null;
        }
        int width = commands.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, String> e : commands.entrySet()) {
            session.getConsole().println("  " + e.getKey() + " ".repeat(width - e.getKey().length() + 2)
                    + firstSentence(e.getValue()));
        }
        return null;
    }

    /** @return the names within two edits of {@code name}, or sharing its part before the dash, in order */
    static List<String> closest(String name, Iterable<String> names) {
        List<String> out = new java.util.ArrayList<>();
        String stem = name.contains("-") ? name.substring(0, name.indexOf('-') + 1) : null;
        for (String n : names) {
            if (n.equals(name)) {
                return List.of();
            }
            if (Roles.distance(name, n) <= 2) {
                out.add(0, n);
            } else if (stem != null && n.startsWith(stem)) {
                out.add(n);
            }
        }
        return out.size() > 6 ? out.subList(0, 6) : out;
    }

    private static String firstSentence(String description) {
        int dot = description.indexOf(". ");
        return dot < 0 ? description : description.substring(0, dot + 1);
    }
}
