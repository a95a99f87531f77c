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

    @Option(name = "--options-first", description = "With --like naming a command: the arguments it was given, one"
            + " per line; prints the same command line with its options first when they came after an argument")
    String optionsFirst;

    @Override
    public Object execute() {
        Map<String, String> commands = new TreeMap<>();
        for (org.apache.karaf.shell.api.console.Command c : session.getRegistry().getCommands()) {
            if ("warden".equals(c.getScope())) {
                commands.put(c.getName(), c.getDescription() == null ? "" : c.getDescription());
            }
        }
        if (like != null && optionsFirst != null && commands.containsKey(like)) {
            String fixed = optionsFirst(session, like, List.of(optionsFirst.split("\n", -1)));
            if (fixed != null) {
                session.getConsole().println("Options go before the arguments: bin/warden " + like + " " + fixed);
            }
            return null;
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

    /**
     * @return the arguments with every option (and its value, for an option that is not a flag) moved before
     *     the first plain argument, quoted for a POSIX shell; {@code null} when they were in that order already
     *     or the command's options cannot be known
     */
    static String optionsFirst(Session session, String name, List<String> args) {
        Map<String, Boolean> options = optionsOf(session, name);
        return options == null ? null : optionsFirst(options, args);
    }

    /** @param options each option name and alias of the command, and whether it takes a value */
    static String optionsFirst(Map<String, Boolean> options, List<String> args) {
        List<String> opts = new java.util.ArrayList<>();
        List<String> plain = new java.util.ArrayList<>();
        boolean late = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            Boolean takesValue = options.get(a);
            if (takesValue == null) {
                plain.add(a);
                continue;
            }
            late |= !plain.isEmpty();
            opts.add(a);
            if (takesValue && i + 1 < args.size()) {
                opts.add(args.get(++i));
            }
        }
        if (!late) {
            return null;
        }
        List<String> all = new java.util.ArrayList<>(opts);
        all.addAll(plain);
        return all.stream().map(CommandsCommand::shellWord).collect(java.util.stream.Collectors.joining(" "));
    }

    private static String shellWord(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** @return the options of {@code warden:<name>} from its action class, or {@code null} when unknown */
    private static Map<String, Boolean> optionsOf(Session session, String name) {
        for (org.apache.karaf.shell.api.console.Command c : session.getRegistry().getCommands()) {
            if (!"warden".equals(c.getScope()) || !name.equals(c.getName())) {
                continue;
            }
            try {
                Class<?> action = (Class<?>) c.getClass().getMethod("getActionClass").invoke(c);
                Map<String, Boolean> out = new java.util.HashMap<>();
                for (Class<?> k = action; k != null; k = k.getSuperclass()) {
                    for (java.lang.reflect.Field f : k.getDeclaredFields()) {
                        Option o = f.getAnnotation(Option.class);
                        if (o != null) {
                            boolean value = f.getType() != boolean.class && f.getType() != Boolean.class;
                            out.put(o.name(), value);
                            for (String alias : o.aliases()) {
                                out.put(alias, value);
                            }
                        }
                    }
                }
                return out;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static String firstSentence(String description) {
        int dot = description.indexOf(". ");
        return dot < 0 ? description : description.substring(0, dot + 1);
    }
}
