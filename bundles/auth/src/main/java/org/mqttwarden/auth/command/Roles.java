package org.mqttwarden.auth.command;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.text.Printable;

/** Checks role names a command was given before it does anything, with a hint for a misspelt one. */
final class Roles {

    private Roles() {
    }

    /** @throws CommandException naming the first unknown role, the closest known one and {@code role-list} */
    static void requireKnown(AccountService accounts, List<String> names) throws CommandException {
        if (names == null || names.isEmpty()) {
            return;
        }
        Set<String> known = accounts.listRoles().stream().map(Role::name).collect(Collectors.toCollection(TreeSet::new));
        for (String name : names) {
            if (!known.contains(name)) {
                String close = closest(name, known);
                throw new CommandException("There is no role named '" + Printable.escape(name) + "'"
                        + (close == null ? "" : " (did you mean '" + close + "'?)") + "; the roles are "
                        + String.join(", ", known) + " (bin/warden role-list). Nothing was changed.");
            }
        }
    }

    /** @return the candidate within two edits of {@code name} (case aside), the nearest first; or {@code null} */
    static String closest(String name, Iterable<String> candidates) {
        String best = null;
        int bestDistance = 3;
        String n = name.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(n, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance, for short names. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
