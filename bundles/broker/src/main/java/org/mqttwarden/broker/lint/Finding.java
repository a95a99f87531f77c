package org.mqttwarden.broker.lint;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One problem the linter found.
 *
 * @param severity how much it matters
 * @param rule the rule's stable id (e.g. {@code anonymous-allowed}), for suppressions and CI tools
 * @param file the configuration file the finding points at
 * @param line the 1-based line in {@code file}; 0 when the finding is about something missing from the file
 * @param message what was found, in one sentence
 * @param why why it matters
 * @param fix what to change
 */
public record Finding(Severity severity, String rule, Path file, int line, String message, String why, String fix) {

    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(why, "why");
        Objects.requireNonNull(fix, "fix");
    }

    /** @return {@code file:line}, or the file alone when the finding has no line */
    public String where() {
        return line > 0 ? file + ":" + line : file.toString();
    }
}
